// The one executor of chunked per-channel stages. The chunk grid comes from the stage (its
// parameters and the recording), never from the mode: fast mode holds the input signal whole in
// memory and hands the kernel views of it, low-memory mode reads each chunk (with its margins) from
// the source or the cache file. Same kernel, same samples, so both modes agree bit for bit.

import type { AnyStage, ChannelContext, Reader } from './stage';

export function runChunked(d: AnyStage, p: unknown, ctx: ChannelContext, fast: boolean): unknown {
  if (d.scope !== 'chunked') throw new Error(`stage ${d.name} is not chunked`);
  const spec = d.chunk;
  const { meta } = ctx;
  const n = meta.nSamples;
  const readerOf = (name: string): Reader | null => (name === 'source' || ctx.has(name) ? ctx.reader(name) : null);
  const firstInput = d.inputs.find((i) => ctx.has(i.stage))?.stage ?? 'source';
  const signal = spec.signal ? spec.signal(readerOf) : ctx.reader(firstInput);
  let read = signal;
  if (fast) {
    const whole = signal(0, n);
    read = (s, e) => whole.subarray(s, e);
  }
  const { block, margin } = spec.grid(p, meta);
  if (!(Number.isInteger(block) && block > 0 && Number.isInteger(margin) && margin >= 0)) {
    throw new Error(`stage ${d.name}: chunk grid ${block}/${margin} is not a positive block and a margin`);
  }
  const state = spec.prepare ? spec.prepare(p, read, meta) : undefined;
  const parts: unknown[] = [];
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    const a = Math.max(0, s - margin), b = Math.min(n, e + margin);
    const part = spec.kernel(p, read(a, b), a, s, e, state, meta);
    if (d.output.kind === 'samples') ctx.emit(s, part as Float32Array);
    else parts.push(part);
    ctx.progress(e / n);
  }
  if (d.output.kind === 'samples') return undefined;
  if (!spec.finish) throw new Error(`stage ${d.name} has a bundle output but no finish()`);
  return spec.finish(p, parts, state, read, meta);
}
