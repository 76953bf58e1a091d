#!/usr/bin/env node
// Launcher for the `spikedesk` CLI. Runs the JavaScript build (out/node/cli.js, `npm run build:node`)
// when present and not older than the sources in a checkout; otherwise the TypeScript sources
// through tsx (a dev fallback), so a stale build never runs code that differs from src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = `${root}out/node/cli.js`;

function newestUnder(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return t;
}

const fresh = existsSync(built) && (!existsSync(`${root}src`) || statSync(built).mtimeMs >= newestUnder(`${root}src`));
let mod;
if (fresh) {
  mod = await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(pathToFileURL(`${root}src/cli/index.ts`).href);
}
const args = process.argv.slice(2);
// The built CLI re-launches pool commands with its V8 flags (src/cli/relaunch.ts); the tsx fallback does not.
const code = fresh && mod.wantsRelaunch(args) ? await mod.relaunch(built, args) : await mod.main(args);
process.exitCode = code;
