// Batch store: the inputs of the next batch (files, folders, manifests), its settings (workflow,
// execution mode, jobs, serial/parallel, output folder, raw format for header-less files), and
// the status of the running or last batch as the backend sends it ('batch' events).
import { create } from 'zustand';
import type { BatchRequest, BatchRow, BatchStatus } from '../../shared/api';
import { DEFAULT_TF } from '../../shared/params';
import type { OpenOptions } from '../../shared/recording';
import { backend, errorText, type ErrorText } from '../api/client';
import { tfFormParams, useParams } from './params';
import { useRecording } from './recording';
import { useRun } from './run';
import { useUi } from './ui';

export type BatchWorkflow = 'sort' | 'correct' | 'tf';
export type ParallelChoice = BatchRequest['parallel'];

/** Raw binary format as typed in the panel (empty = the files carry their own format). */
export interface RawForm { channels: string; rate: string; dtype: 'int16' | 'uint16' | 'float32'; gain: string }

export interface BatchState {
  inputs: string[];
  workflow: BatchWorkflow;
  parallel: ParallelChoice;
  /** Sort: label the written units by the quality rule. */
  labelRule: boolean;
  /** Time-frequency: of the corrected signal (the Parameters panel's correction) instead of the raw one. */
  tfCorrected: boolean;
  outDir: string;
  raw: RawForm;
  status: BatchStatus | null;
  error: ErrorText | null;
  starting: boolean;
  addInputs(paths: string[]): void;
  removeInput(p: string): void;
  setWorkflow(w: BatchWorkflow): void;
  setParallel(p: ParallelChoice): void;
  setLabelRule(on: boolean): void;
  setTfCorrected(on: boolean): void;
  setOutDir(p: string): void;
  setRaw(r: Partial<RawForm>): void;
  /** The raw options the form gives, or an error naming the bad field. */
  rawOptions(): { open?: OpenOptions; error?: string };
  start(): Promise<void>;
  cancel(name?: string): Promise<void>;
  /** Open a finished recording of the batch in the workbench (its results come from the same cache). */
  openInWorkbench(row: BatchRow): Promise<void>;
  refresh(): Promise<void>;
}

/** Where a batch writes by default: beside the first input (outside the input folder), named after the workflow. */
export function defaultOutDir(inputs: string[], workflow: BatchWorkflow): string {
  const first = inputs[0];
  if (!first) return '';
  const trimmed = first.replace(/[\\/]+$/, '');
  const sep = first.includes('\\') ? '\\' : '/';
  // A file (or glob, manifest): a folder beside it; a folder: its sibling (never inside the inputs).
  if (/\.[A-Za-z0-9]+$/.test(trimmed) || /[*?[]/.test(trimmed)) return `${trimmed.replace(/[\\/][^\\/]*$/, '')}${sep}batch-${workflow}`;
  return `${trimmed}-batch-${workflow}`;
}

export const useBatch = create<BatchState>((set, get) => ({
  inputs: [],
  workflow: 'sort',
  parallel: 'auto',
  labelRule: false,
  tfCorrected: false,
  outDir: '',
  raw: { channels: '', rate: '', dtype: 'int16', gain: '' },
  status: null,
  error: null,
  starting: false,
  addInputs(paths) {
    const add = paths.map((p) => p.trim()).filter(Boolean);
    const inputs = [...get().inputs, ...add.filter((p) => !get().inputs.includes(p))];
    set({ inputs, outDir: get().outDir || defaultOutDir(inputs, get().workflow) });
  },
  removeInput(p) { set({ inputs: get().inputs.filter((x) => x !== p) }); },
  setWorkflow(workflow) {
    const { outDir, inputs } = get();
    // Follow the workflow only while the folder is still the suggested one.
    const suggested = outDir === defaultOutDir(inputs, get().workflow);
    set({ workflow, outDir: suggested ? defaultOutDir(inputs, workflow) : outDir });
  },
  setParallel(parallel) { set({ parallel }); },
  setLabelRule(labelRule) { set({ labelRule }); },
  setTfCorrected(tfCorrected) { set({ tfCorrected }); },
  setOutDir(outDir) { set({ outDir }); },
  setRaw(r) { set({ raw: { ...get().raw, ...r } }); },
  rawOptions() {
    const { channels, rate, dtype, gain } = get().raw;
    if (!channels.trim() && !rate.trim()) return {};
    const ch = Number(channels), fs = Number(rate), g = gain.trim() ? Number(gain) : 1;
    if (!Number.isInteger(ch) || ch < 1) return { error: 'raw format: channels must be a whole number of at least 1' };
    if (!(fs > 0)) return { error: 'raw format: the sample rate must be a number of Hz above 0' };
    if (!Number.isFinite(g) || g === 0) return { error: 'raw format: the gain must be a non-zero number of µV per bit' };
    return { open: { channels: ch, rate: fs, dtype, gain: g } };
  },
  async start() {
    const { inputs, workflow, parallel, outDir, labelRule, tfCorrected } = get();
    const raw = get().rawOptions();
    if (raw.error) { set({ error: { message: raw.error, fix: 'fix the raw format fields or clear them' } }); return; }
    const { mode, jobs, memoryBudgetMB } = useRun.getState();
    const p = useParams.getState();
    const m = { kind: mode, jobs, memoryBudgetMB };
    // Time-frequency: the Time–frequency tab's frequencies, cycles and band (its region names this
    // recording's channels: left out), each recording decimated by its own rate (autoDecim).
    const tf = tfFormParams(p.tfForm);
    if (workflow === 'tf' && 'error' in tf) { set({ error: { message: `Time–frequency tab: ${tf.error}`, fix: 'fix the form of the Time–frequency tab' } }); return; }
    const spec: BatchRequest['spec'] = workflow === 'sort' ? { workflow, params: p.sort, mode: m }
      : workflow === 'correct' ? { workflow, params: p.correct, mode: m } : { workflow, params: { ...DEFAULT_TF, ...tf, correction: tfCorrected ? p.correct : null }, mode: m };
    set({ starting: true, error: null });
    try {
      const { api } = await backend();
      const req: BatchRequest = { inputs, spec, parallel, outDir: outDir.trim(), ...(raw.open ? { open: raw.open } : {}), ...(workflow === 'sort' && labelRule ? { labelRule } : {}), ...(workflow === 'tf' ? { autoDecim: true } : {}) };
      set({ status: await api.startBatch(req), starting: false });
    } catch (e) {
      set({ error: errorText(e), starting: false });
    }
  },
  async cancel(name) {
    try {
      const { api } = await backend();
      await (name === undefined ? api.cancelBatch() : api.cancelBatch(name));
    } catch (e) {
      set({ error: errorText(e) });
    }
  },
  async openInWorkbench(row) {
    const o = row.open;
    try {
      if (o.channels !== undefined && o.rate !== undefined) {
        await useRecording.getState().openRaw(row.path, { channels: o.channels, rate: o.rate, dtype: o.dtype ?? 'int16', gain: o.gain ?? 1, offset: o.offset ?? 0 });
      } else {
        await useRecording.getState().open(row.path);
      }
    } catch (e) {
      set({ error: errorText(e) });
      return;
    }
    useUi.getState().setTab(get().status?.workflow === 'correct' ? 'correction' : get().status?.workflow === 'tf' ? 'tf' : 'sorting');
  },
  async refresh() {
    try {
      const { api } = await backend();
      set({ status: await api.batchStatus() });
    } catch { /* no batch yet */ }
  },
}));

/** Feed 'batch' events into the store (called once at start-up). */
export async function subscribeBatchEvents(): Promise<void> {
  const { onEvent } = await backend();
  onEvent((e) => { if (e.type === 'batch') useBatch.setState({ status: e.status }); });
}
