// Scanner trigger detection for gradient-artifact correction: where the triggers come from (stim channel
// or event markers), reading them, finding the volume structure by clustering the spacings, removing
// spurious and spotting missing triggers, and completing them by template matching on a reference
// channel. This is a global stage: it runs once per recording.

import { SpikeDeskError } from '../../shared/errors';
import type { TriggerParams } from '../../shared/params';
import { SCANNER_LABEL, scannerMarkers, type ChannelInfo, type EventMark } from '../../shared/recording';

export type TriggerSource =
  | { kind: 'channel'; channel: number; name: string; reason: string }
  | { kind: 'events'; regex: string; count: number; reason: string };

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
  const scanner = scannerMarkers(info.events);
  if (scanner) {
    const { label, count } = scanner;
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
  /** Triggers removed as spurious (samples). */
  removed: number[];
  /** The spacing clusters found (median spacing in samples, count), largest count first. */
  clusters: Array<{ spacing: number; count: number }>;
  warnings: string[];
}

/**
 * Cluster the sorted values: a new cluster starts where consecutive values differ by more than tol.
 * Returns clusters (median, count, member indices into v) with the largest count first.
 */
function clusterSpacings(d: Float64Array, tol: number): Array<{ spacing: number; count: number; members: number[] }> {
  const order = [...d.keys()].sort((i, j) => d[i] - d[j]);
  const out: Array<{ spacing: number; count: number; members: number[] }> = [];
  let cur: number[] = [];
  for (const i of order) {
    if (cur.length && d[i] - d[cur[cur.length - 1]] > tol) { out.push({ spacing: median(cur.map((k) => d[k])), count: cur.length, members: cur }); cur = []; }
    cur.push(i);
  }
  if (cur.length) out.push({ spacing: median(cur.map((k) => d[k])), count: cur.length, members: cur });
  return out.sort((x, y) => y.count - x.count || x.spacing - y.spacing);
}

/** Spacing tolerance: markers sit at whole samples (+-1), scanners are regular to ~1 %. */
function spacingTol(m: number): number {
  return Math.max(2.5, 0.01 * m);
}

/**
 * Volume structure, missing and spurious triggers of a trigger list, found by clustering the spacings
 * (no fixed ratio): the largest tight cluster is the slice spacing m; a cluster that recurs at a
 * regular number of triggers is the volume gap G; a spacing that is neither is explained as j missing
 * slices (about (j+1) m, or G + j m at a volume boundary) or, when shorter than m, by a spurious
 * trigger whose removal leaves a known spacing.
 */
export function analyzeTriggers(samples: ArrayLike<number>, fs: number, kind: 'slice' | 'volume' = 'slice'): TriggerAnalysis {
  let t = Float64Array.from(new Set(Array.from(samples))).sort();
  if (t.length < 3) {
    noTriggers(t.length === 0 ? 'no triggers were found' : `only ${t.length} trigger(s) were found`,
      'check the trigger source (stim channel or marker pattern, e.g. R128) and that the recording covers the scan');
  }
  const warnings: string[] = [];
  const spacings = (x: Float64Array): Float64Array => Float64Array.from({ length: x.length - 1 }, (_, i) => x[i + 1] - x[i]);
  let d = spacings(t);
  const rough = median(d);
  if (!(rough > 0)) noTriggers('all triggers fall on the same sample', 'check the trigger source; duplicate markers are not scanner triggers');
  let clusters = clusterSpacings(d, spacingTol(rough));
  const m = clusters[0].spacing;
  const tol = spacingTol(m);
  const near = (v: number, target: number): boolean => Math.abs(v - target) <= tol;
  // Spacings that recur (count >= 2) are "known"; a spurious trigger splits a known spacing in two.
  const known = (): number[] => clusters.filter((c) => c.count >= 2).map((c) => c.spacing);
  const removed: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const keep = new Uint8Array(t.length).fill(1);
    const kn = known();
    let any = false;
    for (let i = 0; i < d.length; i++) {
      if (d[i] >= m - tol || !keep[i + 1]) continue;
      // Try dropping t[i+1] (merge d[i] + d[i+1]) or t[i] (merge d[i-1] + d[i]).
      const fwd = i + 1 < d.length ? d[i] + d[i + 1] : NaN;
      const back = i > 0 && keep[i] ? d[i - 1] + d[i] : NaN;
      const fits = (v: number): boolean => kn.some((k) => near(v, k));
      if (fits(fwd) || (Number.isNaN(back) && i + 1 === d.length)) { keep[i + 1] = 0; removed.push(t[i + 1]); any = true; }
      else if (fits(back) || i === 0) { keep[i] = 0; removed.push(t[i]); any = true; }
    }
    if (!any) break;
    t = t.filter((_, i) => keep[i] === 1);
    d = spacings(t);
    clusters = clusterSpacings(d, tol);
  }
  if (removed.length) warnings.push(`${removed.length} spurious trigger(s) removed (at sample${removed.length > 1 ? 's' : ''} ${removed.map((v) => v.toFixed(0)).join(', ')})`);
  if (t.length < 3) noTriggers(`only ${t.length} trigger(s) remain after removing spurious ones`, 'check the trigger source');

  // Volume gap: the most frequent other recurring cluster above m, at a regular number of triggers.
  let G = 0;
  if (kind === 'slice') {
    for (const c of clusters.slice(1)) {
      if (c.count < 2 || c.spacing < m + tol) continue;
      const idx = [...c.members].sort((x, y) => x - y);
      const between = idx.slice(1).map((v, i) => v - idx[i]);
      const mode = median(between);
      if (between.filter((b) => b === mode).length >= 0.6 * between.length) { G = c.spacing; break; }
    }
  }
  const boundaries: number[] = [];
  const unexplained: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (near(d[i], m)) continue;
    if (G > 0 && near(d[i], G)) boundaries.push(i); else unexplained.push(i);
  }
  const volumesFrom = (bs: number[]): Array<[number, number]> => {
    const v: Array<[number, number]> = [];
    let first = 0;
    for (const b of [...bs].sort((x, y) => x - y)) { v.push([first, b]); first = b + 1; }
    v.push([first, t.length - 1]);
    return v;
  };
  const firstVolumes = volumesFrom(boundaries);
  const lens = firstVolumes.slice(1, -1).map(([a, b]) => b - a + 1);
  const spv = G > 0 ? (lens.length ? modeOf(lens) : Math.max(...firstVolumes.map(([a, b]) => b - a + 1))) : t.length;

  // A gap that matches G but splits a volume into two short ones whose slices add up to one volume
  // minus the missing ones is a missing slice (G close to a multiple of m makes the two look alike).
  if (G > 0) {
    for (const i of [...boundaries]) {
      const jIn = Math.round(d[i] / m) - 1;
      if (!(jIn >= 1 && near(d[i], (jIn + 1) * m))) continue;
      const vi = firstVolumes.findIndex(([, b]) => b === i);
      if (vi < 0 || vi + 1 >= firstVolumes.length) continue;
      const l0 = firstVolumes[vi][1] - firstVolumes[vi][0] + 1, l1 = firstVolumes[vi + 1][1] - firstVolumes[vi + 1][0] + 1;
      const edge = vi === 0 || vi + 2 === firstVolumes.length;
      if (l0 + l1 + jIn === spv || (edge && l0 + l1 + jIn < spv)) { boundaries.splice(boundaries.indexOf(i), 1); unexplained.push(i); }
    }
    unexplained.sort((x, y) => x - y);
  }
  const missing: MissingGap[] = [];
  for (const i of unexplained) {
    const jIn = Math.round(d[i] / m) - 1;
    const inside = jIn >= 1 && near(d[i], (jIn + 1) * m);
    const jB = G > 0 ? Math.round((d[i] - G) / m) : -1;
    const atB = jB >= 1 && near(d[i], G + jB * m);
    // Both may fit (e.g. G close to 2m): the volume that comes out with the regular slice count decides.
    const cur = volumesFrom(boundaries);
    const vi = cur.findIndex(([a, b]) => a <= i && i <= b);
    const len = vi >= 0 ? cur[vi][1] - cur[vi][0] + 1 : 0;
    const preferInside = inside && (!atB || len + jIn === spv);
    if (preferInside) {
      missing.push({ after: i, expected: Array.from({ length: jIn }, (_, q) => t[i] + ((q + 1) * d[i]) / (jIn + 1)) });
    } else if (atB) {
      boundaries.push(i);
      // The short side gets the missing triggers: the volume ending at i if it is short, else the next.
      const before = i - (vi >= 0 ? cur[vi][0] : 0) + 1;
      const prevShort = before < spv;
      missing.push({ after: i, expected: Array.from({ length: jB }, (_, q) => (prevShort ? t[i] + (q + 1) * m : t[i + 1] - (jB - q) * m)) });
    } else {
      boundaries.push(i);
      warnings.push(`irregular gap of ${(d[i] / fs).toFixed(3)} s after trigger ${i} (slice spacing ${(m / fs).toFixed(4)} s${G ? `, volume gap ${(G / fs).toFixed(4)} s` : ''})`);
    }
  }
  missing.sort((x, y) => x.after - y.after);
  for (const g of missing) warnings.push(`${g.expected.length} trigger(s) missing after trigger ${g.after} (gap ${(d[g.after] / m).toFixed(2)}x the slice spacing)`);
  return {
    triggers: t, kind, medianSpacing: m, volumes: volumesFrom(boundaries), slicesPerVolume: spv, volumeGap: G, missing, removed,
    clusters: clusters.slice(0, 6).map((c) => ({ spacing: c.spacing, count: c.count })), warnings,
  };
}

function modeOf(v: number[]): number {
  const c = new Map<number, number>();
  for (const x of v) c.set(x, (c.get(x) ?? 0) + 1);
  return [...c.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
}

/**
 * Volume and slice index of every trigger of a complete list (after completion), for the timing model
 * onset = t0 + volume * TR + slice * dt. Without volume structure every trigger is slice k of volume 0.
 */
export function sliceIndices(a: TriggerAnalysis): { volume: Int32Array; slice: Int32Array } {
  const n = a.triggers.length;
  const volume = new Int32Array(n), slice = new Int32Array(n);
  a.volumes.forEach(([s, e], v) => {
    // A short first volume (recording started mid-volume) counts its slices from the end.
    const shift = v === 0 && a.volumes.length > 1 ? Math.max(0, a.slicesPerVolume - (e - s + 1)) : 0;
    for (let i = s; i <= e; i++) { volume[i] = v; slice[i] = i - s + shift; }
  });
  return { volume, slice };
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
