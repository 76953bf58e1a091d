// The renderer built for the web host (npm run serve): same sources, served by src/main/web.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  base: './',
  plugins: [react()],
  // Lets the renderer know it runs in a browser (no Electron preload will hand it a port).
  define: { __SPIKEDESK_WEB__: 'true' },
  build: { outDir: resolve(import.meta.dirname, 'out/web'), emptyOutDir: true, chunkSizeWarningLimit: 6000 },
  logLevel: 'warn',
});
