// Child process of session-lock.test.ts: appends N run records to one session.json, as a run
// finishing in another SpikeDesk process would. Usage: record-runs.ts <sessionDir> <tag> <n>
import { recordRun, type RunRecord } from '../../../src/main/pipeline/session-store';
import { DEFAULT_FILTER, type PipelineSpec } from '../../../src/shared/params';

const [dir, tag, n] = process.argv.slice(2);
const spec: PipelineSpec = { workflow: 'filter', params: DEFAULT_FILTER, mode: { kind: 'fast', jobs: 1, memoryBudgetMB: 100 } };
const meta = { path: '/x.dat', format: 'raw' as const, channels: [], sampleRate: 1000, nSamples: 1, events: [] };
const identity = { path: '/x.dat', size: 1, mtimeMs: 0, headTail: '' };
for (let i = 0; i < Number(n); i++) {
  const run: RunRecord = { runId: `${tag}-${i}`, workflow: 'filter', mode: spec.mode, startedAt: new Date().toISOString(), wallS: 0, state: 'done', channels: [], groups: [], stages: {}, failed: [], summary: {} };
  recordRun(dir, identity, meta, spec, run);
}
