// Before any e2e spec: the two demo recordings in the shared demo folder, generated the way the
// web host generates them (backend.openDemo -> a pool worker), with no time limit. Generation is
// minutes of CPU on a loaded machine; without this the first spec to open a demo would spend its
// own time budget on it. Specs then open an existing demo (a stamp check) and time only the app.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices } from '../../src/main/compose';
import { demoReady } from '../../src/main/demo';
import { ThreadHost } from '../../src/main/pool/thread-host';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO_DIR = path.join(ROOT, '.tmp', 'e2e-demo');

export default async function setup(): Promise<void> {
  const missing = (['spikes', 'eeg'] as const).filter((k) => !demoReady(k, DEMO_DIR));
  if (!missing.length) return;
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  const settings = fs.mkdtempSync(path.join(ROOT, '.tmp', 'e2e-setup-'));
  const services = await createServices({ host: 'test', processHost: new ThreadHost(), poolSize: 2, demoDir: DEMO_DIR, settingsDir: settings });
  try {
    const t0 = Date.now();
    // Both demos are generated side by side; opening the first is then replaced by the later open
    // (CANCELLED: the later open wins), which does not matter here: only the generated files do.
    await Promise.all(missing.map((k) => services.backend.openDemo(k).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'CANCELLED') throw e;
    })));
    const notMade = missing.filter((k) => !demoReady(k, DEMO_DIR));
    if (notMade.length) throw new Error(`e2e set-up: the ${notMade.join(' and ')} demo was not generated`);
    console.log(`e2e set-up: generated the ${missing.join(' and ')} demo in ${((Date.now() - t0) / 1000).toFixed(0)} s (on pool workers)`);
  } finally {
    await services.dispose();
    fs.rmSync(settings, { recursive: true, force: true });
  }
}
