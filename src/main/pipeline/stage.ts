// The stage model. A stage is declared once, as a descriptor: its name, its upstream stages, the
// version of its cache layout, a typed output, its scope and a pure kernel over typed arrays. The
// planner builds every workflow as a list of descriptors (workflows.ts); the worker runs them with
// one executor (stage-runner.ts, chunked.ts). Nothing in the engine knows a workflow by name.

import { SpikeDeskError } from '../../shared/errors';
import type { RecordingMeta } from '../../shared/recording';
import type { Source } from '../io/source';
import type { Bundle } from './bundle';

/** Samples [start, end) of one channel (raw, filtered, referenced...). */
export type Reader = (start: number, end: number) => Float32Array;

type KindOf<T> = T extends Float32Array ? 'f32' : T extends Float64Array ? 'f64' : T extends Int32Array ? 'i32' : T extends Uint8Array ? 'u8' : 'json';
/** How each field of a typed output is stored: typed arrays as raw bytes, the rest as JSON. */
export type Layout<O> = { [K in keyof O]-?: KindOf<O[K]> };

/** Encodes a typed stage output as a cache bundle and checks the layout when reading it back. */
export interface Codec<O> {
  readonly layout: Layout<O>;
  encode(o: O): Bundle;
  decode(b: Bundle, file: string): O;
}

const ARRAY_CTOR = { f32: Float32Array, f64: Float64Array, i32: Int32Array, u8: Uint8Array } as const;

export function codec<O>(layout: Layout<O>): Codec<O> {
  const fields = Object.entries(layout) as [string, string][];
  return {
    layout,
    encode(o: O): Bundle {
      const info: Record<string, unknown> = {};
      const arrays: Bundle['arrays'] = {};
      const rec = o as Record<string, unknown>;
      for (const [k, kind] of fields) {
        if (kind === 'json') info[k] = rec[k] === undefined ? null : rec[k];
        else arrays[k] = rec[k] as Bundle['arrays'][string];
      }
      return { info, arrays };
    },
    decode(b: Bundle, file: string): O {
      const out: Record<string, unknown> = {};
      for (const [k, kind] of fields) {
        if (kind === 'json') {
          if (!(k in b.info)) throw layoutError(file, `field "${k}" is missing`);
          out[k] = b.info[k];
        } else {
          const a = b.arrays[k];
          if (!(a instanceof ARRAY_CTOR[kind as keyof typeof ARRAY_CTOR])) throw layoutError(file, `array "${k}" is missing or not ${kind}`);
          out[k] = a;
        }
      }
      return out as O;
    },
  };
}

function layoutError(file: string, what: string): SpikeDeskError {
  return new SpikeDeskError({ code: 'FORMAT_CORRUPT', message: `cache entry ${file} has an unexpected layout: ${what}`, fix: 'delete the session cache folder and run again', file });
}

/**
 * A stage's output: `samples` = one float32 value per recording sample (a channel, or a channel
 * group's reference), streamed to a .f32 file; `bundle` = a typed record stored as a .bin bundle.
 */
export type Output<O> = { kind: 'samples' } | { kind: 'bundle'; codec: Codec<O> };

/** An upstream stage; `optional` inputs are used when the workflow plans them (e.g. the reference). */
export interface InputRef { stage: string; optional?: boolean }

/** What a per-channel kernel sees (in a worker, or inline). */
export interface ChannelContext {
  readonly channel: number;
  readonly meta: RecordingMeta;
  /** Typed output of an upstream bundle stage (kept in memory when this task computed it). */
  input<O>(stage: StageDescriptor<unknown, O>): O;
  /** Whether an (optional) upstream stage is part of this plan. */
  has(stage: string): boolean;
  /**
   * Samples of an upstream samples stage for this channel, or 'source' for the raw channel. In fast
   * mode these are views of whole-channel arrays the next task reuses (channel-buffers.ts): an
   * output must copy samples, never keep a view.
   */
  reader(stage: string): Reader;
  /** Samples-output stages emit consecutive blocks from 0 to nSamples; `data` is consumed during the call (a kernel may reuse it). */
  emit(start: number, data: Float32Array): void;
  progress(fraction: number): void;
  /** Small values returned to main (spike count, units...). */
  summary: Record<string, unknown>;
}

/** What a group or global kernel sees. */
export interface GlobalContext {
  readonly meta: RecordingMeta;
  readonly source: Source;
  /** The channels of this task: the run's channels (global) or one channel group (group). */
  readonly channels: number[];
  /** Samples of an upstream samples stage for channel channels[i]. */
  reader(stage: string, i: number): Reader;
  /** Typed output of an upstream bundle stage for channel channels[i]. */
  input<O>(stage: StageDescriptor<unknown, O>, i: number): O;
  emit(start: number, data: Float32Array): void;
  progress(fraction: number): void;
  /** Samples per block when the stage streams (fixed; never depends on the mode). */
  readonly blockSamples: number;
}

/**
 * A per-channel stage computed in chunks with margins: the chunk grid depends only on the
 * parameters and the recording (never on the mode), so fast mode (whole channel in memory) and
 * low-memory mode (chunks read from the file) call the same kernel on the same samples.
 */
export interface ChunkSpec<P, S, Part, O> {
  /** The input signal from the upstream readers (default: the first samples input, or 'source'). */
  signal?(readers: (stage: string) => Reader | null): Reader;
  /** Chunk length and the context (samples) each side a chunk needs for exact results. */
  grid(p: P, meta: RecordingMeta): { block: number; margin: number };
  /** Optional pass over the whole channel before the chunks (e.g. the noise level). */
  prepare?(p: P, read: Reader, meta: RecordingMeta): S;
  /** x holds samples [a, a + x.length) covering [s - margin, e + margin) clipped to the channel. */
  kernel(p: P, x: Float32Array, a: number, s: number, e: number, state: S, meta: RecordingMeta): Part;
  /** Bundle outputs: combine the chunk results (random access to the signal through read). */
  finish?(p: P, parts: Part[], state: S, read: Reader, meta: RecordingMeta): O;
}

interface BaseDescriptor<P, O> {
  name: string;
  /** Bump when this stage's algorithm or output layout changes: only its entries (and downstream) go stale. */
  version: number;
  inputs: InputRef[];
  output: Output<O>;
  /** Relative cost per channel, for the ETA. */
  weight: number;
  /** The key includes the source identity (stages that read the recording itself). */
  readsSource?: boolean;
  /** Values for the run summary. */
  summarize?(o: O): Record<string, unknown>;
  /**
   * Checks that need the recording and the planned channels, run before any work starts (a bad
   * combination is refused with BAD_PARAMETER instead of failing every channel later). Typed by
   * the stage's own parameter slice, so the engine never asks which workflow it runs.
   */
  validate?(p: P, rec: PlanContext): void;
  /**
   * Per-channel stages only: this stage starts a new task per channel, and those tasks run longest
   * first by this estimate of their cost, from the summary values of the channel's earlier stages
   * (e.g. its spike count). For a cost that varies a lot between channels: run in channel order,
   * one expensive channel near the end keeps one worker busy while the others idle. Scheduling
   * only: a task reads its inputs from the cache, so the outputs are the same bytes.
   */
  taskCost?(channelSummary: Record<string, unknown>): number;
}

/** What a stage's validate hook sees: the recording, the run's channels and their groups. */
export interface PlanContext {
  meta: RecordingMeta;
  channels: number[];
  /** Channel groups (indices into the recording's channels) among the run's channels. */
  groups: number[][];
}

export type StageDescriptor<P, O> = BaseDescriptor<P, O> & (
  | { scope: 'channel'; run(p: P, ctx: ChannelContext): O | void }
   
  // join: the outputs of a split channel's tasks (the workflow step's split slices), in order, as the output of p.
  | { scope: 'chunked'; chunk: ChunkSpec<P, any, any, O>; join?(p: P, parts: O[]): O }
  | { scope: 'group' | 'global'; run(p: P, ctx: GlobalContext): O | void | Promise<O | void> }
);

 
export type AnyStage = StageDescriptor<any, any>;

/** Typed helper for descriptors (O defaults to Float32Array: a samples output). */
export function defineStage<P, O = Float32Array>(d: StageDescriptor<P, O>): StageDescriptor<P, O> {
  return d;
}

export function isPerChannel(d: AnyStage): boolean {
  return d.scope === 'channel' || d.scope === 'chunked';
}

export function fileExt(d: AnyStage): string {
  return d.output.kind === 'samples' ? 'f32' : 'bin';
}
