/// <reference types="vite/client" />
declare module 'plotly.js-strict-dist-min';
/** Defined (true) only in the web host's build (vite.web.config.ts). */
declare const __SPIKEDESK_WEB__: boolean | undefined;
