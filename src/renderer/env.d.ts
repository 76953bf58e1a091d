/// <reference types="vite/client" />
declare module 'plotly.js-strict-dist-min';
