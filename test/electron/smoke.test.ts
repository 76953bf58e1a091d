// Real-Electron smoke test: builds nothing itself; when an Electron binary and a built app
// (npm run build) are present, starts the app headless under xvfb-run and expects the main
// process to come up without errors. Skips cleanly where no Electron binary can be installed.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = path.resolve(__dirname, '../..');

function electronBinary(): string | null {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const bin = electronBinary();
const built = fs.existsSync(path.join(root, 'out/main/index.cjs'));
const xvfb = spawnSync('sh', ['-c', 'command -v xvfb-run']).status === 0;
const why = !bin ? 'no Electron binary installed (ELECTRON_SKIP_BINARY_DOWNLOAD)' : !built ? 'app not built (npm run build)' : !xvfb ? 'xvfb-run missing' : '';

describe('Electron smoke', () => {
  it.skipIf(why !== '')(`starts the desktop app${why ? ` (skipped: ${why})` : ''}`, () => {
    const r = spawnSync('xvfb-run', ['-a', bin!, '--no-sandbox', root], { timeout: 20_000, encoding: 'utf8', env: { ...process.env, SPIKEDESK_SMOKE: '1' } });
    expect(r.stderr).not.toMatch(/Error|Uncaught/);
  });
});
