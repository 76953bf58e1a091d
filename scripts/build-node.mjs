// Builds the Node hosts as JavaScript, so they never compile TypeScript at run time (tsx stays a
// dev tool): the CLI, the web host and the worker entry -> out/node/{cli,serve,worker}.js (ESM).
// Dependencies stay in node_modules (h5wasm loads its wasm from its package folder), except the
// small CommonJS ones every worker loads (fili, fft.js, comlink): imported from ESM, Node would run
// its CommonJS export scanner over them at each worker start (measured: worker ready 219 -> see
// bench/stage.bench.ts), so they are bundled in.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUNDLED = new Set(['fili', 'fft.js', 'comlink']);

/** Every bare import is external (resolved from node_modules at run time) but BUNDLED. */
const externalDeps = {
  name: 'external-deps',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED.has(pkg) ? undefined : { path: args.path, external: true };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli/index.ts', serve: 'src/main/web/serve.ts', worker: 'src/main/pool/worker.ts' },
  outdir: 'out/node',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [externalDeps],
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log('built out/node/{cli,serve,worker}.js');
