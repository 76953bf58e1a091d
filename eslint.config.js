// Lint rules, mainly the dependency rule of ARCHITECTURE.md: which folder may import what.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnlyPackages = ['ws', 'h5wasm', 'h5wasm/node', 'tsx', 'tsx/esm/api', 'electron-builder'];

const restrict = (paths, patterns = []) => ({
  'no-restricted-imports': ['error', {
    paths: paths.map((name) => ({ name, message: 'This import breaks the dependency rule (ARCHITECTURE.md).' })),
    patterns,
  }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', '.tmp/**', 'resources/**', 'test/e2e/*.mjs', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // shared: pure contracts, nothing environment-specific.
    files: ['src/shared/**/*.ts'],
    rules: restrict([...nodeModules, 'electron', ...nodeOnlyPackages, 'react', 'react-dom'],
      [{ group: ['**/main/**', '**/workers/**', '**/renderer/**', '**/cli/**', '**/preload/**'], message: 'shared imports nothing outside shared.' }]),
  },
  {
    // workers: compute core; may use Node (worker entry) but never electron or higher layers.
    files: ['src/workers/**/*.ts'],
    rules: restrict(['electron', 'react'],
      [{ group: ['**/main/**', '**/renderer/**', '**/cli/**', '**/preload/**'], message: 'workers import only shared.' }]),
  },
  {
    // main outside electron/: plain Node backend.
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: restrict(['electron', 'react'],
      [{ group: ['**/renderer/**', '**/cli/**', '**/preload/**', '**/main/electron/**'], message: 'main imports shared and workers only; only main/electron imports electron.' }]),
  },
  {
    // cli: argument parsing and printing; main only through its headless services façade.
    files: ['src/cli/**/*.ts'],
    rules: restrict(['electron', 'react'], [
      { group: ['**/renderer/**', '**/preload/**', '**/main/electron/**'], message: 'the CLI runs without Electron.' },
      { group: ['**/main/**', '!**/main/headless', '**/workers/**'], message: 'the CLI uses main only through its services (src/main/headless.ts).' },
    ]),
  },
  {
    // renderer: browser only.
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: restrict([...nodeModules, 'electron', ...nodeOnlyPackages],
      [{ group: ['**/main/**', '**/workers/**', '**/cli/**', '**/preload/**'], message: 'the renderer talks to the backend only through src/renderer/api.' }]),
  },
  {
    // preload: only electron's renderer API.
    files: ['src/preload/**/*.ts'],
    rules: restrict([...nodeModules, 'react'], [{ group: ['**/main/**', '**/workers/**', '**/renderer/**', '**/cli/**', '**/shared/**'], message: 'preload imports only electron.' }]),
  },
);
