// Builds the Node hosts as JavaScript, so they never compile TypeScript at run time (tsx stays a
// dev tool): the CLI, the web host and the worker entry -> out/node/{cli,serve,worker}.js (ESM).
// Dependencies stay in node_modules (h5wasm loads its wasm from its package folder).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/index.ts', serve: 'src/main/web/serve.ts', worker: 'src/main/pool/worker.ts' },
  outdir: 'out/node',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log('built out/node/{cli,serve,worker}.js');
