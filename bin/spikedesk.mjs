#!/usr/bin/env node
// Launcher for the `spikedesk` CLI. Runs the JavaScript build (out/node/cli.js, `npm run build:node`)
// when present; otherwise, in a fresh checkout, the TypeScript sources through tsx (a dev fallback).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}out/node/cli.js`;
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
