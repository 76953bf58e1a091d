// Runs stage descriptors on tasks (in a worker, or inline in main): builds the contexts kernels
// see, reads inputs (from memory when this task just computed them in fast mode, else from the
// cache), and writes each output atomically - samples streamed, bundles through their codec.

import * as fs from 'node:fs';
import { SpikeDeskError } from '../../shared/errors';
import type { RecordingMeta } from '../../shared/recording';
import type { Source } from '../io/source';
import { readBundle, writeBundle } from './bundle';
import { AtomicStream } from './cache';
import { borrowSamples, returnSamples } from './channel-buffers';
import { runChunked } from './chunked';
import type { AnyStage, ChannelContext, GlobalContext, Reader, StageDescriptor } from './stage';
import { stageNamed } from './stages/registry';
import type { ChannelTask, GlobalTask } from './task';
import type { SpanLog } from './trace';

function stage(name: string): AnyStage {
  const d = stageNamed(name);
  if (!d) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${name} is not available in this build` });
  return d;
}

/** Random access to a float32 file in the cache (filtered, reference or corrected samples). */
export class ChannelFile {
  private fd: number;
  readonly length: number;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'r');
    this.length = fs.fstatSync(this.fd).size / 4;
  }

  /** Samples [start, end) into `out` (default a new array), every one of them written. */
  read(start: number, end: number, out: Float32Array = new Float32Array(end - start)): Float32Array {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, (end - start) * 4);
    let done = 0;
    while (done < bytes.length) {
      const got = fs.readSync(this.fd, bytes, done, bytes.length - done, start * 4 + done);
      if (got <= 0) throw new SpikeDeskError({ code: 'FILE_TRUNCATED', message: `${this.path} is shorter than expected`, file: this.path });
      done += got;
    }
    return out;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Writes a samples output in order; in fast mode also keeps it whole for the next stages. */
class SampleSink {
  private readonly out: AtomicStream;
  private written = 0;
  readonly whole: Float32Array | null;

  /** With `keep`, the whole output goes into `whole` (every sample is emitted before commit). */
  constructor(private readonly name: string, file: string, private readonly n: number, keep: Float32Array | null) {
    this.out = new AtomicStream(file);
    this.whole = keep;
  }

  emit(start: number, data: Float32Array): void {
    if (start !== this.written || start + data.length > this.n) {
      throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${this.name} emitted samples at ${start}, expected ${this.written}` });
    }
    this.out.write(data);
    this.whole?.set(data, start);
    this.written += data.length;
  }

  commit(): void {
    if (this.written !== this.n) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${this.name} wrote ${this.written} of ${this.n} samples` });
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

function decode<O>(d: StageDescriptor<unknown, O>, file: string): O {
  if (d.output.kind !== 'bundle') throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${d.name} has no typed output` });
  return d.output.codec.decode(readBundle(file), file);
}

/** Reads a stage's typed output from its cache file (main side: exports, views, summaries). */
export function readStageOutput<O>(d: StageDescriptor<unknown, O>, file: string): O {
  return decode(d, file);
}

type Progress = (stage: string, fraction: number) => void;

/**
 * Raw channels decoded ahead for the next tasks of this worker (ChannelTask.prefetch), per open
 * source. Taken (and dropped) by the task of that channel; a task that finds nothing reads its
 * channel itself, so a miss costs time, never a different sample.
 */
const ahead = new WeakMap<Source, Map<number, Float32Array>>();

function rawChannel(source: Source, task: ChannelTask): Float32Array {
  let kept = ahead.get(source);
  const hit = kept?.get(task.channel);
  if (hit) { kept!.delete(task.channel); return hit; }
  const more = (task.prefetch ?? []).filter((c) => c !== task.channel);
  const n = source.meta.nSamples;
  // A read fills every sample of the arrays it is given (Source.read), so lent ones are safe.
  const chans = [task.channel, ...more];
  const got = source.read(chans, 0, n, chans.map(() => borrowSamples(n)));
  // Only this task's batch is kept: anything left from an earlier batch is dropped.
  if (kept) returnSamples(kept.values());
  kept = new Map(more.map((c, i) => [c, got[i + 1]]));
  ahead.set(source, kept);
  return got[0];
}

/** Runs a channel task's stages in order; returns each stage's summary values merged. */
export function runChannelStages(task: ChannelTask, source: Source, progress: Progress, summary: Record<string, unknown>, beforeStage?: (stage: string) => void, log?: SpanLog): string[] {
  const meta = source.meta;
  const n = meta.nSamples;
  const fast = task.blockSamples === 0;
  const memo = new Map<string, unknown>();
  // Whole-channel arrays of this task from channel-buffers.ts: given back once the task is done.
  const lent: Float32Array[] = [];
  const files: ChannelFile[] = [];
  const fileReader = (name: string): Reader => {
    const f = new ChannelFile(task.files[name]);
    files.push(f);
    return (s, e) => f.read(s, e);
  };
  try {
    for (const name of task.steps) {
      beforeStage?.(name);
      const d = stage(name);
      const p = task.params[name];
      let sink: SampleSink | null = null;
      const ctx: ChannelContext = {
        channel: task.channel,
        meta,
        summary,
        has: (s) => s in task.files,
        input: <O>(u: StageDescriptor<unknown, O>): O => {
          let o = memo.get(u.name) as O | undefined;
          if (o === undefined) { o = decode(u, task.files[u.name]); memo.set(u.name, o); }
          return o;
        },
        reader: (s) => {
          if (s === 'source') {
            if (!fast) return (a, b) => source.read([task.channel], a, b)[0];
            let raw = memo.get('source') as Float32Array | undefined;
            if (!raw) {
              raw = log ? log.time('read:source', () => rawChannel(source, task)) : rawChannel(source, task);
              memo.set('source', raw);
              lent.push(raw);
            }
            const whole = raw;
            return (a, b) => whole.subarray(a, b);
          }
          if (!(s in task.files)) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${name} reads ${s}, which is not in its plan` });
          if (!fast) return fileReader(s);
          let w = memo.get(s) as Float32Array | undefined;
          if (!w) {
            const f = new ChannelFile(task.files[s]);
            files.push(f);
            const got = f.read(0, n, borrowSamples(n));
            memo.set(s, got);
            lent.push(got);
            w = got;
          }
          const whole = w;
          return (a, b) => whole.subarray(a, b);
        },
        emit: (start, data) => {
          if (!sink) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${name} has no samples output` });
          sink.emit(start, data);
        },
        progress: (f) => progress(name, f),
      };
      progress(name, 0);
      if (d.output.kind === 'samples') {
        const whole = fast ? borrowSamples(n) : null;
        if (whole) lent.push(whole);
        sink = new SampleSink(name, task.files[name], n, whole);
      }
      const runStage = (): void => {
        const out = d.scope === 'chunked' ? runChunked(d, p, ctx, fast) : d.scope === 'channel' ? d.run(p, ctx) : undefined;
        if (d.scope !== 'chunked' && d.scope !== 'channel') throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${name} is not a per-channel stage` });
        if (sink) {
          sink.commit();
          if (sink.whole) memo.set(name, sink.whole);
        } else if (d.output.kind === 'bundle') {
          writeBundle(task.files[name], d.output.codec.encode(out));
          memo.set(name, out);
          if (d.summarize) Object.assign(summary, d.summarize(out));
        }
      };
      try {
        if (log) log.time(name, runStage);
        else runStage();
      } catch (e) {
        sink?.abort();
        throw e;
      }
      progress(name, 1);
    }
    // Stage outputs are in their files and the task's results are numbers: nothing refers to
    // these arrays any more. (After a failure they are left to the garbage collector.)
    memo.clear();
    returnSamples(lent);
  } finally {
    for (const f of files) f.close();
  }
  return task.steps;
}

/** Runs a group or global stage once; returns its summary values. */
export async function runGlobalStage(task: GlobalTask, source: Source, progress: Progress, log?: SpanLog): Promise<Record<string, unknown>> {
  return log ? log.timeAsync(task.stage, () => globalStage(task, source, progress)) : globalStage(task, source, progress);
}

async function globalStage(task: GlobalTask, source: Source, progress: Progress): Promise<Record<string, unknown>> {
  const d = stage(task.stage);
  if (d.scope !== 'group' && d.scope !== 'global') throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${d.name} is not a group or global stage` });
  const meta: RecordingMeta = source.meta;
  const files: ChannelFile[] = [];
  const sink = d.output.kind === 'samples' ? new SampleSink(d.name, task.out, meta.nSamples, null) : null;
  const ctx: GlobalContext = {
    meta, source, channels: task.channels, blockSamples: task.blockSamples > 0 ? task.blockSamples : 1 << 18,
    reader: (s, i) => {
      const f = new ChannelFile(task.inputs[s][i]);
      files.push(f);
      return (a, b) => f.read(a, b);
    },
    input: <O>(u: StageDescriptor<unknown, O>, i: number): O => decode(u, task.inputs[u.name][i]),
    emit: (start, data) => {
      if (!sink) throw new SpikeDeskError({ code: 'INTERNAL', message: `stage ${d.name} has no samples output` });
      sink.emit(start, data);
    },
    progress: (f) => progress(d.name, f),
  };
  try {
    progress(d.name, 0);
    const out = await d.run(task.params, ctx);
    if (sink) { sink.commit(); return {}; }
    if (d.output.kind === 'bundle') writeBundle(task.out, d.output.codec.encode(out));
    progress(d.name, 1);
    return d.summarize ? d.summarize(out) : {};
  } catch (e) {
    sink?.abort();
    throw e;
  } finally {
    for (const f of files) f.close();
  }
}
