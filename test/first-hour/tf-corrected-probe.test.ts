// The first estimate of a time-frequency run on the corrected signal measures this machine on
// slices of the recording as a correction's does (calibration-probe.ts `corrects`): slices long
// enough to hold several artifact epochs, with every channel (the triggers stage reads the trigger
// and montage channels). The probe runs, correction included, must finish: a probe run that fails
// leaves the estimate on the benchmark figures. With triggers from a stim channel, the pulses
// near a slice's ends are cleared as its event markers are (they made every slice fail).
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/main/compose';
import { ThreadHost } from '../../src/main/pool/thread-host';
import { DEFAULT_CORRECT, DEFAULT_TF, type PipelineSpec } from '../../src/shared/params';
import type { RunReport } from '../../src/shared/progress';
import { makeEegRecording, removeTmpDirs, tmpDir, WORKER_ENTRY } from '../engine/helpers';

let services: Services;
let file: string;
const probes: { done?: RunReport }[] = [];

beforeAll(async () => {
  const dir = tmpDir('tf-corrected-probe');
  file = (await makeEegRecording(dir, { durationS: 40, nChannels: 3, fs: 2000 })).meta.path;
  services = await createServices({ host: 'test', processHost: new ThreadHost(), workerEntry: WORKER_ENTRY, poolSize: 2, demoDir: path.join(dir, 'demo'), settingsDir: path.join(dir, 'settings') });
  services.allow.allowRoot(dir);
  const start = services.engine.start.bind(services.engine);
  services.engine.start = (spec, source, meta, onProgress) => {
    const r = start(spec, source, meta, onProgress);
    if (/spikedesk-probe-/.test(source.path)) {
      const entry: (typeof probes)[number] = {};
      probes.push(entry);
      void r.done.then((rep) => { entry.done = rep; }, () => undefined);
    }
    return r;
  };
  await services.backend.openRecording(file, {});
});
afterAll(async () => { await services?.dispose(); removeTmpDirs(); });

describe('estimate of tf on the corrected signal', () => {
  it('of the raw signal: no probe (the modelled cost follows the parameters; each form change would be a new shape)', async () => {
    probes.length = 0;
    const spec: PipelineSpec = { workflow: 'tf', params: { ...DEFAULT_TF, freqs: [10, 20], nCycles: [5], decim: 8 }, channels: [0, 1], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } };
    const est = await services.backend.estimate(spec);
    expect(probes.length).toBe(0);
    expect(est.fast.seconds).toBeGreaterThan(0);
    expect(est.fast.peakMB).toBeGreaterThan(0);
  });

  it('probes on slices cut as for a correction: every probe run, correction included, is done', async () => {
    const spec: PipelineSpec = {
      workflow: 'tf', params: { ...DEFAULT_TF, freqs: [10, 20], nCycles: [5], decim: 8, correction: DEFAULT_CORRECT },
      channels: [0, 1], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 },
    };
    const est = await services.backend.estimate(spec);
    expect(probes.length).toBeGreaterThan(0);
    await expect.poll(() => probes.every((p) => p.done), { timeout: 60_000 }).toBe(true);
    expect(probes.map((p) => [p.done!.state, p.done!.failed.map((f) => f.reason)])).toEqual(probes.map(() => ['done', []]));
    expect(est.fast.seconds).toBeGreaterThan(0);
  }, 180_000);

  it('with triggers from a stim channel, for tf and for the correction itself: the stim pulses near a slice\'s ends are cleared as its markers are', async () => {
    const fromStim = { ...DEFAULT_CORRECT, triggers: { ...DEFAULT_CORRECT.triggers, source: 'channel' as const, channel: 'STI' } };
    const specs: PipelineSpec[] = [
      { workflow: 'tf', params: { ...DEFAULT_TF, freqs: [12, 24], nCycles: [5], decim: 8, correction: fromStim }, channels: [0, 1], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } },
      { workflow: 'correct', params: fromStim, channels: [0, 1], mode: { kind: 'fast', jobs: 2, memoryBudgetMB: 512 } },
    ];
    for (const spec of specs) {
      probes.length = 0;
      await services.backend.estimate(spec);
      expect(probes.length, spec.workflow).toBeGreaterThan(0);
      await expect.poll(() => probes.every((p) => p.done), { timeout: 60_000 }).toBe(true);
      // Before, every slice failed: "the first or last artifact epoch runs past the recording".
      expect(probes.map((p) => [p.done!.state, p.done!.failed.map((f) => f.reason)]), spec.workflow).toEqual(probes.map(() => ['done', []]));
    }
  }, 180_000);
});
