#!/usr/bin/env node
// `npm start`: the desktop app (Electron) when its binary is installed; otherwise it says why there
// is no window and what to do, and starts the same UI in the browser (the web host) instead of
// failing with Electron's stack trace. The Electron binary is not downloaded at install time
// (.npmrc ignore-scripts, so `npm install` works offline); `npm run electron:install` fetches it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

/** The Electron executable, or null when the package has no binary (its download was skipped or failed). */
function electronBinary() {
  if (process.env.SPIKEDESK_NO_ELECTRON) return null; // the fallback on demand (tests, headless machines)
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 130 : 1); });
  return child;
}

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

if (electronBinary()) {
  run(bin('electron-vite'), ['preview', ...args]);
} else {
  process.stderr.write([
    'SpikeDesk: the Electron binary is not installed, so the desktop window cannot open.',
    '  (npm install skips its download so that installing works offline.)',
    '  To get the desktop app, with internet access: npm run electron:install   then: npm start',
    '  Starting the same UI in your browser instead (npm run serve); open the address printed below.',
    '  Stop it with Ctrl+C.',
    '',
  ].join('\n'));
  // Build the web UI when it is missing or older than its sources (a fresh clone, a git pull).
  const index = path.join(root, 'out', 'web', 'index.html');
  const stale = !existsSync(index) || statSync(index).mtimeMs < newestMtime(path.join(root, 'src', 'renderer'));
  const serve = () => run(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main', 'web', 'serve.ts'), ...args]);
  if (!stale) serve();
  else {
    const build = spawn(bin('vite'), ['build', '--config', 'vite.web.config.ts'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
    build.on('exit', (code) => { if (code === 0) serve(); else { process.stderr.write('SpikeDesk: building the web UI failed (see above).\n'); process.exitCode = 1; } });
  }
}
