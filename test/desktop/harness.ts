// Shared set-up of the desktop scenario: stage the built app like electron-builder, run it under
// the Electron API emulation with a persistent userData folder (the demo is generated once and
// reused; session folders and the recent list are cleared so every run computes).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulation, stageApp, type Emulation } from './emulation/index';
import type { Mutation } from './emulation/stage';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WORK = path.join(ROOT, '.tmp', 'desktop');
export const USER_DATA = path.join(WORK, 'user-data');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'io');

function clearSessions(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name.endsWith('.spikedesk')) fs.rmSync(p, { recursive: true, force: true });
    else if (e.isDirectory()) clearSessions(p);
  }
}

export function assertBuilt(): void {
  for (const f of ['out/main/index.cjs', 'out/main/worker.cjs', 'out/preload/index.cjs', 'out/renderer/index.html']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} missing: run the desktop tests with npm run test:desktop (it builds first)`);
  }
}

/**
 * The demo is generated once from a fixed seed (minutes on a loaded machine): reuse the one the
 * web end-to-end tests generated, if any, instead of generating it again.
 */
function shareDemo(): void {
  const mine = path.join(USER_DATA, 'demo');
  const e2e = path.join(ROOT, '.tmp', 'e2e-demo');
  if (!fs.existsSync(mine) && fs.existsSync(e2e)) fs.symlinkSync(e2e, mine, 'dir');
}

/** `beforeStart` may replace parts of the emulated electron module (e.g. to record the ports main creates). */
export async function launchApp(name: string, mutations: Mutation[] = [], args: string[] = [], beforeStart?: (emu: Emulation) => void): Promise<Emulation> {
  assertBuilt();
  fs.mkdirSync(USER_DATA, { recursive: true });
  shareDemo();
  clearSessions(USER_DATA);
  clearSessions(path.join(USER_DATA, 'demo')); // may be a symlink, which the walk does not follow
  fs.rmSync(path.join(USER_DATA, 'recent.json'), { force: true });
  const stage = stageApp(ROOT, path.join(WORK, name), mutations);
  const emu = await createEmulation({ stage, userData: USER_DATA, args });
  beforeStart?.(emu);
  await emu.start();
  return emu;
}

export { alive, demoShown } from './scenario-steps';
