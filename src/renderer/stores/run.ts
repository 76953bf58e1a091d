// Run store: the current run's per-worker progress, the last report and the job settings.
import { create } from 'zustand';
import type { PipelineSpec } from '../../shared/params';
import type { RunProgress, RunReport } from '../../shared/progress';
import { backend, errorText } from '../api/client';

export interface RunState {
  runId: string | null;
  progress: RunProgress | null;
  report: RunReport | null;
  error: { message: string; fix?: string; code?: string } | null;
  mode: 'fast' | 'low-memory';
  jobs: number;
  setMode(m: RunState['mode']): void;
  setJobs(n: number): void;
  start(spec: Omit<PipelineSpec, 'mode'> & { mode?: PipelineSpec['mode'] }): Promise<void>;
  cancel(): Promise<void>;
}

export const useRun = create<RunState>((set, get) => ({
  runId: null,
  progress: null,
  report: null,
  error: null,
  mode: 'fast',
  jobs: 2,
  setMode(mode) { set({ mode }); },
  setJobs(jobs) { set({ jobs: Math.max(1, Math.min(64, Math.round(jobs))) }); },
  async start(spec) {
    const { api } = await backend();
    const { mode, jobs } = get();
    set({ error: null, report: null, progress: null });
    try {
      await api.setPoolSize(jobs);
      const full = { ...spec, mode: spec.mode ?? { kind: mode, jobs, memoryBudgetMB: 512 } } as PipelineSpec;
      const runId = await api.runPipeline(full);
      set({ runId });
    } catch (e) {
      set({ error: errorText(e) });
    }
  },
  async cancel() {
    const id = get().runId;
    if (!id) return;
    const { api } = await backend();
    await api.cancel(id);
  },
}));

/** Feed backend events into the store (called once at start-up). */
export async function subscribeRunEvents(): Promise<void> {
  const { onEvent } = await backend();
  onEvent((e) => {
    const runId = useRun.getState().runId;
    if (e.type === 'progress' && (runId === null || e.progress.runId === runId)) useRun.setState({ progress: e.progress });
    if (e.type === 'run-finished' && e.report.runId === runId) useRun.setState({ report: e.report });
    if (e.type === 'run-error' && e.runId === runId) useRun.setState({ error: e.error });
  });
}
