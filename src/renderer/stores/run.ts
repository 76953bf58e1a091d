// Run store: job settings (mode, jobs), the estimate of both modes for the current spec, the
// current run's per-worker progress, its report and a counter views watch to refetch results.
import { create } from 'zustand';
import type { CarryReport, RunEstimateDTO, SortVersionInfo } from '../../shared/api';
import type { PipelineSpec } from '../../shared/params';
import type { RunProgress, RunReport } from '../../shared/progress';
import { backend, errorText, type ErrorText } from '../api/client';
import { useUi } from './ui';
import { useSort } from './sort';
import { useRecording } from './recording';

type StartSpec = Omit<PipelineSpec, 'mode'> & { mode?: PipelineSpec['mode'] };

/** The estimate a run started with: a full run's figures, the share of the work the cache held, and whether this machine was measured. */
export interface StartEstimate { seconds: number; peakMB: number; share: number; measured: boolean }

function startEstimateOf(e: RunEstimateDTO, kind: 'fast' | 'lowMemory'): StartEstimate {
  return { ...e[kind], share: e.cached?.share ?? 0, measured: e.measured?.[kind] ?? false };
}

export interface RunState {
  runId: string | null;
  /** Workflow of the current (or last) run, so a workflow's view shows its own run's progress. */
  workflow: PipelineSpec['workflow'] | null;
  progress: RunProgress | null;
  report: RunReport | null;
  error: ErrorText | null;
  mode: 'fast' | 'low-memory';
  jobs: number;
  memoryBudgetMB: number;
  estimate: RunEstimateDTO | null;
  /** The workflow `estimate` was made for (the side panel's sort or correction, or the time–frequency form), so another workflow's figures are not shown. */
  estimateWorkflow: string | null;
  /** The spec, mode and jobs `estimate` was made for (estimateKey), so a run of another one is not compared with it. */
  estimateKey: string | null;
  estimateError: string | null;
  /** Bumped when a run finishes, per workflow, so result views refetch. */
  finished: Record<PipelineSpec['workflow'], number>;
  /** A sort re-run waiting for the user's answer: it would replace a curated result. */
  confirmReplace: StartSpec | null;
  /** The curated sort kept before the running re-sort, whose labels are carried over when it finishes. */
  carryFrom: SortVersionInfo | null;
  /** Labels carried over after the last re-sort. */
  carried: CarryReport | null;
  /** The estimate shown when the current/last run started (compared with the actual in the report). */
  startEstimate: StartEstimate | null;
  setMode(m: RunState['mode']): void;
  setJobs(n: number): void;
  refreshEstimate(spec: Omit<PipelineSpec, 'mode'>): Promise<void>;
  start(spec: StartSpec): Promise<void>;
  /** Start a run; a sort over a curated result first asks (confirmReplace). */
  request(spec: StartSpec): Promise<void>;
  /** The user agreed: keep the curated sort as a version, then re-run (labels carried over after). */
  replaceConfirmed(): Promise<void>;
  replaceCancelled(): void;
  carryLabels(): Promise<void>;
  cancel(): Promise<void>;
}

/**
 * Number of the latest estimate request. A first estimate can take a minute (it measures this
 * machine), so an answer for an older spec, mode or job count may arrive after a newer one: it is dropped.
 */
let estimateSeq = 0;

/** What an estimate depends on: the spec (channels included) with the mode's kind and jobs. */
function estimateKeyOf(spec: Omit<PipelineSpec, 'mode'>, kind: string, jobs: number): string {
  const { mode: _mode, ...rest } = spec as PipelineSpec;
  return JSON.stringify({ ...rest, kind, jobs });
}

export const useRun = create<RunState>((set, get) => ({
  runId: null,
  workflow: null,
  progress: null,
  report: null,
  error: null,
  mode: 'fast',
  jobs: 2,
  memoryBudgetMB: 512,
  estimate: null,
  estimateWorkflow: null,
  estimateKey: null,
  estimateError: null,
  finished: { sort: 0, correct: 0, filter: 0, tf: 0 },
  confirmReplace: null,
  carryFrom: null,
  carried: null,
  startEstimate: null,
  setMode(mode) { set({ mode }); },
  setJobs(jobs) { set({ jobs: Math.max(1, Math.min(64, Math.round(jobs) || 1)) }); },
  async refreshEstimate(spec) {
    const seq = ++estimateSeq;
    const { jobs, mode, memoryBudgetMB } = get();
    try {
      const { api } = await backend();
      const estimate = await api.estimate({ ...spec, mode: { kind: mode, jobs, memoryBudgetMB } } as PipelineSpec);
      if (seq === estimateSeq) set({ estimate, estimateWorkflow: spec.workflow, estimateKey: estimateKeyOf(spec, mode, jobs), estimateError: null });
    } catch (e) {
      if (seq === estimateSeq) set({ estimate: null, estimateError: errorText(e).message });
    }
  },
  async start(spec) {
    const { api } = await backend();
    const { mode, jobs, memoryBudgetMB, estimate, estimateKey } = get();
    const full = { ...spec, mode: spec.mode ?? { kind: mode, jobs, memoryBudgetMB } } as PipelineSpec;
    const kind = full.mode.kind === 'fast' ? 'fast' : 'lowMemory';
    // The estimate shown is compared with the run only if it was made for this very run (a changed
    // channel list or form may not have been estimated yet when the button is pressed).
    const matches = estimate && estimateKey === estimateKeyOf(full, full.mode.kind, full.mode.jobs);
    const wanted = spec.workflow !== 'filter';
    set({ error: null, report: null, progress: null, workflow: spec.workflow, startEstimate: wanted && matches ? startEstimateOf(estimate, kind) : null });
    try {
      await api.setPoolSize(jobs);
      const runId = await api.runPipeline(full);
      set({ runId });
      // Not estimated yet: ask now (no calibration probe starts while a run is under way; the figures
      // are those the machine's calibration gave before this run).
      if (wanted && !matches) {
        void api.estimate(full).then((e) => { if (get().runId === runId && !get().report) set({ startEstimate: startEstimateOf(e, kind) }); }, () => undefined);
      }
    } catch (e) {
      set({ error: errorText(e) });
    }
  },
  async request(spec) {
    const o = useSort.getState().overview;
    if (spec.workflow === 'sort' && o?.canUndo) { set({ confirmReplace: spec }); return; }
    await get().start(spec);
  },
  async replaceConfirmed() {
    const spec = get().confirmReplace;
    if (!spec) return;
    set({ confirmReplace: null, carried: null });
    try {
      const { api } = await backend();
      const kept = await api.keepSortVersion();
      set({ carryFrom: kept });
    } catch (e) {
      set({ error: errorText(e) });
      return; // never replace a curated result that could not be kept
    }
    await get().start(spec);
  },
  replaceCancelled() { set({ confirmReplace: null }); },
  async carryLabels() {
    const from = get().carryFrom;
    set({ carryFrom: null });
    if (!from) return;
    try {
      const { api } = await backend();
      set({ carried: await api.carryLabels(from.name) });
    } catch (e) {
      set({ error: errorText(e) });
    }
    await useSort.getState().refresh();
  },
  async cancel() {
    const id = get().runId;
    if (!id) return;
    const { api } = await backend();
    await api.cancel(id);
  },
}));

/** Feed backend events into the stores (called once at start-up). */
export async function subscribeRunEvents(): Promise<void> {
  const { onEvent } = await backend();
  onEvent((e) => {
    const runId = useRun.getState().runId;
    if (e.type === 'progress' && (runId === null || e.progress.runId === runId)) useRun.setState({ progress: e.progress });
    if (e.type === 'run-finished' && e.report.runId === runId) {
      const f = useRun.getState().finished;
      useRun.setState({ report: e.report, finished: { ...f, [e.report.workflow]: f[e.report.workflow] + 1 } });
      if (e.report.workflow === 'sort' && e.report.state !== 'cancelled' && e.report.state !== 'failed') void useRun.getState().carryLabels();
      // "Filter all channels" is run to see the filtered traces: show them, unless the user is
      // already looking at another processed view.
      if (e.report.workflow === 'filter' && e.report.state === 'done' && useRecording.getState().view === 'raw') useRecording.getState().setView('filtered');
    }
    if (e.type === 'run-error' && e.runId === runId) useRun.setState({ error: e.error });
    if (e.type === 'status') useUi.getState().setStatus(e.message ? { message: e.message, fraction: e.fraction } : null);
  });
}
