// Estimates calibrated on this machine (#6): the first estimate runs a short probe (cached in the
// settings folder), estimates follow the jobs field, and on the demos the measured run time is
// within 2x of the estimate (the probe runs under the same load as the run, so the ratio holds on a
// busy machine too). Peak memory is compared the same way.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { DEFAULT_CORRECT, DEFAULT_SORT, type PipelineSpec } from '../../src/shared/params';
import type { RunReport } from '../../src/shared/progress';
import { removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The e2e demo folder: generated once and shared with the end-to-end tests.
const DEMO_DIR = path.join(ROOT, '.tmp', 'e2e-demo');
let services: Services;
let settings: string;
const reports: RunReport[] = [];

/** Session folders of the demos: a cached result would make a run measure nothing. */
function removeDemoSessions(): void {
  if (!fs.existsSync(DEMO_DIR)) return;
  for (const d of fs.readdirSync(DEMO_DIR, { recursive: true, withFileTypes: true })) {
    if (d.isDirectory() && d.name.endsWith('.spikedesk')) fs.rmSync(path.join(d.parentPath, d.name), { recursive: true, force: true });
  }
}

beforeAll(async () => {
  removeDemoSessions();
  settings = tmpDir('calibration');
  services = await createServices({ host: 'test', processHost: new ThreadHost(), workerEntry: WORKER_ENTRY, poolSize: 2, demoDir: DEMO_DIR, settingsDir: settings });
  services.onEvent((e) => { if (e.type === 'run-finished') reports.push(e.report); });
}, 300_000);
afterAll(async () => {
  removeDemoSessions();
  await services?.dispose();
  removeTmpDirs();
});

async function run(spec: PipelineSpec): Promise<RunReport> {
  const id = await services.backend.runPipeline(spec);
  await expect.poll(() => reports.find((r) => r.runId === id), { timeout: 300_000, interval: 200 }).toBeTruthy();
  return reports.find((r) => r.runId === id)!;
}

describe('calibrated estimates (#6)', () => {
  it('spike demo, sort 4 channels fast x 2: estimate within 2x of the run, and follows jobs', async () => {
    await services.backend.openDemo('spikes');
    const spec: PipelineSpec = { workflow: 'sort', params: DEFAULT_SORT, channels: [0, 1, 2, 3], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } };
    const est = await services.backend.estimate(spec);
    const cal = JSON.parse(fs.readFileSync(path.join(settings, 'calibration.json'), 'utf8'));
    console.log(`sort probe points ${JSON.stringify(cal.shapes)}`);
    expect(Object.keys(cal.shapes).some((k) => k.startsWith('sort|fast|') && k.endsWith('|x2'))).toBe(true); // the probe ran and was cached
    const one = await services.backend.estimate({ ...spec, mode: { ...spec.mode, jobs: 1 } });
    // 4 channels on 1 worker: 4 rounds instead of 2, from the same probe (no second probe for a jobs change).
    expect(one.fast.seconds).toBeGreaterThan(est.fast.seconds);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(settings, 'calibration.json'), 'utf8')).shapes)).toHaveLength(1);
    expect(one.fast.peakMB).toBeLessThan(est.fast.peakMB);
    const r = await run(spec);
    expect(r.state).toBe('done');
    expect(r.stagesCached).toEqual([]);
    const ratio = r.wallS / est.fast.seconds;
    console.log(`sort estimate ${est.fast.seconds} s, actual ${r.wallS.toFixed(2)} s (x${ratio.toFixed(2)}); memory ${est.fast.peakMB} MB vs ${Math.max(...r.peakRssMB)} MB`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
    const mem = Math.max(...r.peakRssMB) / est.fast.peakMB;
    expect(mem).toBeGreaterThan(0.5);
    expect(mem).toBeLessThan(2);
  }, 300_000);

  it('EEG demo, correct 2 channels fast x 2: estimate within 2x of the run', async () => {
    await services.backend.openDemo('eeg');
    const spec: PipelineSpec = { workflow: 'correct', params: DEFAULT_CORRECT, channels: [0, 1], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } };
    const est = await services.backend.estimate(spec);
    const r = await run(spec);
    expect(r.state).toBe('done');
    expect(r.stagesCached).toEqual([]);
    const ratio = r.wallS / est.fast.seconds;
    console.log(`correct estimate ${est.fast.seconds} s, actual ${r.wallS.toFixed(2)} s (x${ratio.toFixed(2)})`);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 300_000);
});
