// Scanner trigger detection for gradient-artifact correction: where the triggers come from (stim channel
// or event markers), reading them, finding the volume structure (gaps between volumes), spotting
// missing triggers (a gap > ~1.8x the median spacing inside a volume) and completing them by template
// matching on a reference channel. This is a global stage: it runs once per recording.

import { SpikeDeskError } from '../../shared/errors';
import type { TriggerParams } from '../../shared/params';
import type { ChannelInfo, EventMark } from '../../shared/recording';

export type TriggerSource =
  | { kind: 'channel'; channel: number; name: string; reason: string }
  | { kind: 'events'; regex: string; count: number; reason: string };

/** Marker labels scanners and amplifiers commonly use for slice/volume triggers. */
const SCANNER_LABEL = /R128|R\s*1\b|volume|slice|scanner|\bTR\b|^T\s*1$/i;
const STIM_NAME = /^(sti|stim|status|trig|trigger)/i;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function noTriggers(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'NO_TRIGGERS', message, fix });
}

function labelCounts(events: EventMark[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) m.set(e.label, (m.get(e.label) ?? 0) + 1);
  return m;
}

/**
 * Decide where triggers come from using metadata only: an explicit choice is honoured; 'auto' prefers
 * scanner-like marker labels, then a stim/status channel, then the most frequent regular marker.
 */
export function findTriggerSource(info: { channels: ChannelInfo[]; events: EventMark[] }, params?: Partial<TriggerParams>): TriggerSource {
  const source = params?.source ?? 'auto';
  const counts = labelCounts(info.events);
  const topLabels = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([l, n]) => `"${l}" x${n}`).join(', ') || 'none';
  const stimIdx = info.channels.findIndex((c) => (params?.channel ? c.name === params.channel : c.kind === 'stim' || STIM_NAME.test(c.name)));
  if (source === 'channel' || (source === 'auto' && params?.channel)) {
    if (stimIdx < 0) noTriggers(`no stim channel${params?.channel ? ` named "${params.channel}"` : ''} in this recording`, 'pick the trigger channel by name, or use event markers (e.g. pattern R128)');
    return { kind: 'channel', channel: stimIdx, name: info.channels[stimIdx].name, reason: 'stim channel chosen in the parameters' };
  }
  if (source === 'events' || (source === 'auto' && params?.regex)) {
    const re = new RegExp(params?.regex || SCANNER_LABEL.source, params?.regex ? '' : 'i');
    const count = info.events.filter((e) => re.test(e.label)).length;
    if (count === 0) noTriggers(`no event label matches /${re.source}/ (labels found: ${topLabels})`, 'set the trigger pattern to one of the labels listed, e.g. R128');
    return { kind: 'events', regex: re.source, count, reason: params?.regex ? 'marker pattern given in the parameters' : 'scanner-like marker labels' };
  }
  // auto: scanner-like labels first (the usual BrainVision case).
  const scanner = [...counts.entries()].filter(([l]) => SCANNER_LABEL.test(l)).sort((a, b) => b[1] - a[1]);
  if (scanner.length > 0 && scanner[0][1] >= 3) {
    const [label, count] = scanner[0];
    return { kind: 'events', regex: `^${escapeRegex(label)}$`, count, reason: `markers labelled "${label}" look like scanner triggers` };
  }
  if (stimIdx >= 0) return { kind: 'channel', channel: stimIdx, name: info.channels[stimIdx].name, reason: `"${info.channels[stimIdx].name}" is a stim/status channel` };
  // Last resort: the most frequent label whose spacing is regular (coefficient of variation < 0.5).
  for (const [label, count] of [...counts.entries()].sort((a, b) => b[1] - a[1])) {
    if (count < 10) break;
    const s = info.events.filter((e) => e.label === label).map((e) => e.sample).sort((a, b) => a - b);
    const d = s.slice(1).map((v, i) => v - s[i]);
    const med = median(d);
    if (med > 0 && median(d.map((v) => Math.abs(v - med))) < 0.5 * med) {
      return { kind: 'events', regex: `^${escapeRegex(label)}$`, count, reason: `"${label}" is the most frequent regularly spaced marker` };
    }
  }
  noTriggers(`found neither scanner markers nor a stim channel (labels found: ${topLabels})`, 'choose the trigger source by hand: a stim channel name or a marker pattern such as R128');
}

/** Onsets in a stim/status channel: samples where the value changes to a non-baseline value. */
export function triggersFromChannel(values: Float32Array, opts: { baseline?: number; value?: number; offset?: number; previous?: number } = {}): number[] {
  const base = opts.baseline ?? 0;
  const out: number[] = [];
  let prev = opts.previous ?? base;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== prev && v !== base && (opts.value === undefined || v === opts.value)) out.push(i + (opts.offset ?? 0));
    prev = v;
  }
  return out;
}

/** Onsets of the events whose label matches the pattern, sorted and de-duplicated. */
export function triggersFromEvents(events: EventMark[], regex: string): number[] {
  let re: RegExp;
  try { re = new RegExp(regex); } catch { throw new SpikeDeskError({ code: 'BAD_PARAMETER', message: `trigger pattern /${regex}/ is not a valid regular expression`, fix: 'fix the pattern, e.g. R128' }); }
  const s = [...new Set(events.filter((e) => re.test(e.label)).map((e) => e.sample))];
  return s.sort((a, b) => a - b);
}

export function median(a: ArrayLike<number>): number {
  if (a.length === 0) return NaN;
  const s = Float64Array.from(a).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

export interface MissingGap {
  /** Index of the trigger before the gap. */
  after: number;
  /** Estimated positions of the missing triggers (samples). */
  expected: number[];
}

export interface TriggerAnalysis {
  triggers: Float64Array;
  kind: 'slice' | 'volume';
  medianSpacing: number;
  /** [first, last] trigger index of each volume (one block when there are no volume gaps). */
  volumes: Array<[number, number]>;
  slicesPerVolume: number;
  /** Typical gap between the last slice of a volume and the first of the next (0 = none). */
  volumeGap: number;
  missing: MissingGap[];
  warnings: string[];
}

/** Volume structure and missing triggers of a sorted trigger list. */
export function analyzeTriggers(samples: ArrayLike<number>, fs: number, kind: 'slice' | 'volume' = 'slice'): TriggerAnalysis {
  const t = Float64Array.from(samples).sort();
  if (t.length < 3) {
    noTriggers(t.length === 0 ? 'no triggers were found' : `only ${t.length} trigger(s) were found`,
      'check the trigger source (stim channel or marker pattern, e.g. R128) and that the recording covers the scan');
  }
  const d = Float64Array.from({ length: t.length - 1 }, (_, i) => t[i + 1] - t[i]);
  const m = median(d);
  const warnings: string[] = [];
  if (!(m > 0)) noTriggers('all triggers fall on the same sample', 'check the trigger source; duplicate markers are not scanner triggers');
  const large = [...d.keys()].filter((i) => d[i] > 1.8 * m);
  // A volume gap recurs with a similar length and a regular number of slices in between.
  let G = 0;
  if (kind === 'slice' && large.length >= 2) {
    const vals = large.map((i) => d[i]).sort((a, b) => a - b);
    let best = 0, bestVal = 0;
    for (let i = 0; i < vals.length; i++) {
      let c = 0;
      for (const v of vals) if (Math.abs(v - vals[i]) < 0.25 * m) c++;
      if (c > best) { best = c; bestVal = vals[i]; }
    }
    const gapIdx = large.filter((i) => Math.abs(d[i] - bestVal) < 0.25 * m);
    const between = gapIdx.slice(1).map((v, i) => v - gapIdx[i]);
    const mode = median(between);
    const regular = between.filter((b) => b === mode).length >= 0.6 * between.length;
    if (best >= 2 && regular) G = median(gapIdx.map((i) => d[i]));
  }
  const boundaries: number[] = [];
  const missing: MissingGap[] = [];
  const atBoundary: Array<{ after: number; count: number }> = [];
  for (const i of large) {
    if (G > 0 && Math.abs(d[i] - G) < 0.25 * m) { boundaries.push(i); continue; }
    if (G > 0 && d[i] > G) {
      const j = Math.round((d[i] - G) / m);
      if (j >= 1 && Math.abs(d[i] - G - j * m) < 0.3 * m) {
        boundaries.push(i);
        atBoundary.push({ after: i, count: j });
        continue;
      }
    }
    const j = Math.round(d[i] / m) - 1;
    if (j >= 1 && Math.abs(d[i] - (j + 1) * m) < 0.3 * m) {
      missing.push({ after: i, expected: Array.from({ length: j }, (_, q) => t[i] + ((q + 1) * d[i]) / (j + 1)) });
    } else {
      boundaries.push(i);
      warnings.push(`irregular gap of ${(d[i] / fs).toFixed(3)} s after trigger ${i} (median spacing ${(m / fs).toFixed(4)} s)`);
    }
  }
  boundaries.sort((a, b) => a - b);
  const volumes: Array<[number, number]> = [];
  let first = 0;
  for (const b of boundaries) { volumes.push([first, b]); first = b + 1; }
  volumes.push([first, t.length - 1]);
  const spv = G > 0 ? Math.round(median(volumes.slice(1, -1).map(([a, b]) => b - a + 1).concat(volumes.length <= 2 ? volumes.map(([a, b]) => b - a + 1) : []))) : t.length;
  // Place the triggers missing at a volume boundary on the side of the short volume.
  for (const g of atBoundary) {
    const vi = volumes.findIndex(([, b]) => b === g.after);
    const prevShort = vi >= 0 && volumes[vi][1] - volumes[vi][0] + 1 < spv;
    missing.push({ after: g.after, expected: Array.from({ length: g.count }, (_, q) => (prevShort ? t[g.after] + (q + 1) * m : t[g.after + 1] - (g.count - q) * m)) });
  }
  missing.sort((x, y) => x.after - y.after);
  for (const g of missing) warnings.push(`${g.expected.length} trigger(s) missing after trigger ${g.after} (gap ${((t[g.after + 1] - t[g.after]) / m).toFixed(2)}x the median spacing)`);
  return { triggers: t, kind, medianSpacing: m, volumes, slicesPerVolume: spv, volumeGap: G, missing, warnings };
}

export interface Completion {
  triggers: Float64Array;
  added: number[];
  /** Expected positions where no match with r > minR was found. */
  unresolved: number[];
  correlations: number[];
}

/**
 * Fill missing triggers by template matching on a reference channel: the template is the mean of up to
 * 2*neighbours epochs around the gap; the best normalised correlation within +-0.3 spacing of the
 * expected position is accepted when r > minR.
 */
export function completeMissing(a: TriggerAnalysis, ref: Float32Array, opts: { minR?: number; neighbours?: number } = {}): Completion {
  const minR = opts.minR ?? 0.9;
  const nb = opts.neighbours ?? 10;
  const t = a.triggers;
  const E = Math.max(8, Math.floor(a.medianSpacing * 0.95));
  const pre = Math.floor(0.03 * a.medianSpacing);
  const added: number[] = [], unresolved: number[] = [], correlations: number[] = [];
  const ok = (s: number): boolean => s - pre >= 0 && s - pre + E <= ref.length;
  for (const g of a.missing) {
    const tmpl = new Float64Array(E);
    let n = 0;
    for (let i = Math.max(0, g.after - nb + 1); i <= Math.min(t.length - 1, g.after + nb); i++) {
      const s = Math.round(t[i]);
      if (!ok(s)) continue;
      for (let j = 0; j < E; j++) tmpl[j] += ref[s - pre + j];
      n++;
    }
    if (n === 0) { unresolved.push(...g.expected); continue; }
    let tm = 0;
    for (let j = 0; j < E; j++) tm += (tmpl[j] /= n);
    tm /= E;
    let tn = 0;
    for (let j = 0; j < E; j++) { tmpl[j] -= tm; tn += tmpl[j] * tmpl[j]; }
    for (const e of g.expected) {
      const span = Math.round(0.3 * a.medianSpacing);
      let bestR = -Infinity, bestS = -1;
      for (let s = Math.round(e) - span; s <= Math.round(e) + span; s++) {
        if (!ok(s)) continue;
        let sx = 0, sxx = 0, sxt = 0;
        for (let j = 0; j < E; j++) { const v = ref[s - pre + j]; sx += v; sxx += v * v; sxt += v * tmpl[j]; }
        const vx = sxx - (sx * sx) / E;
        const r = vx > 0 && tn > 0 ? sxt / Math.sqrt(vx * tn) : 0;
        if (r > bestR) { bestR = r; bestS = s; }
      }
      correlations.push(bestR);
      if (bestR > minR) added.push(bestS); else unresolved.push(e);
    }
  }
  const all = Float64Array.from([...t, ...added]).sort();
  return { triggers: all, added, unresolved, correlations };
}
