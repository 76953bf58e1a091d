#!/usr/bin/env node
// Launcher for the `spikedesk` CLI. Uses the built CLI (out/cli/index.js) when present; otherwise
// runs the TypeScript sources through tsx, so `npx spikedesk` works right after `npm ci`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}out/cli/index.js`;
let mod;
if (existsSync(built)) {
  mod = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(`${root}src/cli/index.ts`).href);
}
const code = await mod.main(process.argv.slice(2));
process.exitCode = code;
