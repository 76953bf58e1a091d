// The workbench's view of a finished sort: the sort result from the session cache, the curation
// model replayed from curation.jsonl (journaled at every action, so it survives a reload, crash or
// restart), per-cluster metrics (computed once per id: ids never change membership), capped
// feature subsets for the scatter plots and per-unit statistics for the unit views.

import * as path from 'node:path';
import type { ClusterRow, CorrelogramDTO, FeatureSet, SimilarUnit, SortOverview, SpikeMarks, UnitDetail } from '../../shared/api';
import type { ClusterId, CurationAction, UpdateInfo } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';
import type { SortParams } from '../../shared/params';
import { Rng } from '../../workers/rng';
import { unitMetrics } from '../../workers/sort/metrics';
import { correlogram, isiHistogram, meanWaveform, timeCourse, waveformSimilarity, waveformSummary } from '../../workers/sort/unit-stats';
import { loadSortResult, unitIdsOf, type ChannelSpikes, type SortResult } from '../pipeline/sort-result';
import { latestRunWith, readSession } from '../pipeline/session-store';
import type { CurationModel } from './curation';
import { applyAction } from './curation-action';
import { CurationJournal, JOURNAL_FILE, type JournalLoadReport } from './journal';
import type { CuratedSortView } from './sort-versions';
import { FileLock, type LockHolder } from './file-lock';

/** One curator per session: the lock file in the session folder (holder pid, stale-lock recovery). */
export const SESSION_LOCK = 'session.lock';

/** Runs a k-component GMM on a worker and returns sub-labels per row. */
export type Reclusterer = (X: Float32Array, n: number, d: number, k: number, seed: number) => Promise<Int32Array>;

const MAX_AMP_POINTS = 4000;

/** Run id of the latest sort in a session folder, or null. */
export function latestSortRunId(sessionDir: string): string | null {
  const s = readSession(sessionDir);
  return s ? latestRunWith(s, 'metrics', 'sort')?.runId ?? null : null;
}

export class SortSession {
  private readonly byChannel = new Map<number, ChannelSpikes>();
  private readonly metricCache = new Map<ClusterId, Record<string, number | null>>();
  private readonly meanCache = new Map<ClusterId, Float64Array>();
  private readonly params: SortParams | null;

  private constructor(readonly result: SortResult, readonly model: CurationModel, private readonly journal: CurationJournal,
    readonly report: JournalLoadReport, params: unknown, private readonly lock: FileLock | null, private readonly heldBy: LockHolder | null) {
    for (const c of result.channels) this.byChannel.set(c.channel, c);
    for (const u of result.units) this.metricCache.set(u.id, u.metrics);
    this.params = (params as SortParams | undefined) ?? null;
  }

  get runId(): string { return this.result.run.runId; }

  /** Load the latest sort of a session folder and its curation journal (a journal of an older sort is archived). */
  static open(sessionDir: string): SortSession {
    const result = loadSortResult(sessionDir);
    const groups = result.channels.map((c) => ({ channel: c.channel, clusters: unitIdsOf(result, c) }));
    // Two curators of one session corrupt its journal: the second one opens read-only.
    const got = FileLock.tryAcquire(path.join(sessionDir, SESSION_LOCK), `curating ${result.run.runId}`);
    const lock = got instanceof FileLock ? got : null;
    const heldBy = got instanceof FileLock ? null : got.heldBy;
    try {
      const { model, journal, report } = CurationJournal.open(path.join(sessionDir, JOURNAL_FILE), { runId: result.run.runId, groups },
        { onMismatch: 'archive', readOnly: lock === null });
      return new SortSession(result, model, journal, report, readSession(sessionDir)?.params.sort, lock, heldBy);
    } catch (e) {
      lock?.release();
      throw e;
    }
  }

  /** Why this session is read-only, or null when this process is its curator. */
  get readOnly(): string | null {
    if (this.lock) return null;
    const who = this.heldBy ? `process ${this.heldBy.pid} on ${this.heldBy.host} (since ${this.heldBy.since})` : 'another process';
    return `another SpikeDesk (${who}) is curating this session; it is shown read-only here`;
  }

  private writable(): void {
    const why = this.readOnly;
    if (why) throw new SpikeDeskError({ code: 'SESSION_LOCKED', message: why, fix: 'close the other SpikeDesk window (or wait for it to finish), then reopen the recording' });
  }

  close(): void { this.journal.close(); this.lock?.release(); }

  private channel(c: number): ChannelSpikes {
    const ch = this.byChannel.get(c);
    if (!ch) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `channel ${c} has no sorted spikes`, fix: 'pick a channel of the last sort run' });
    return ch;
  }

  private width(): number { return this.result.pre + this.result.post; }

  private metrics(id: ClusterId): Record<string, number | null> {
    const hit = this.metricCache.get(id);
    if (hit) return hit;
    const s = this.model.summary(id);
    const ch = this.channel(s.channel);
    const idx = this.model.spikesOf(id);
    const w = this.width();
    const mean = new Float32Array(w);
    for (const i of idx) for (let k = 0; k < w; k++) mean[k] += ch.waveforms[i * w + k] / idx.length;
    const meta = this.result.meta;
    const m = unitMetrics({
      samples: Int32Array.from(idx, (i) => ch.samples[i]), amplitudes: Float32Array.from(idx, (i) => ch.amplitudes[i]),
      meanWaveform: mean, sigma: ch.sigma, fs: meta.sampleRate, durationS: meta.nSamples / meta.sampleRate,
      features: ch.features, nFeat: ch.nFeat, labels: this.model.spikeClusters(s.channel), unit: id,
    });
    const out: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(m)) out[k] = Number.isFinite(v) ? v : null;
    this.metricCache.set(id, out);
    return out;
  }

  overview(): SortOverview {
    const names = this.result.meta.channels;
    const clusters: ClusterRow[] = this.model.clusters().map((c) => ({
      id: c.id, channel: c.channel, channelName: names[c.channel]?.name ?? `ch${c.channel}`, nSpikes: c.nSpikes, label: c.label, metrics: this.metrics(c.id),
    }));
    return {
      runId: this.runId, channels: this.result.channels.map((c) => c.channel), clusters,
      canUndo: this.model.canUndo && !this.readOnly, canRedo: this.model.canRedo && !this.readOnly, journalRecords: this.report.records, journalPath: this.report.path,
      ...(this.readOnly ? { readOnly: this.readOnly } : {}),
      ...(this.report.damaged ? { journalWarning: journalWarning(this.report) } : {}),
    };
  }

  featureNames(nFeat: number): string[] {
    const f = this.params?.features;
    const names: string[] = [];
    if (f) {
      for (let i = 0; i < f.nPcs; i++) names.push(`PC${i + 1}`);
      if (f.energy) names.push('energy');
      if (f.amplitude) names.push('amplitude');
    }
    return names.length === nFeat ? names : Array.from({ length: nFeat }, (_, i) => `F${i + 1}`);
  }

  /** Every spike when there are at most maxPoints, else an even stride over spike order (deterministic). */
  features(channel: number, maxPoints: number): FeatureSet {
    const ch = this.channel(channel);
    const total = ch.samples.length;
    const cap = Math.max(100, Math.min(200000, Math.floor(maxPoints) || 0));
    const n = Math.min(total, cap);
    const spikeIndex = Int32Array.from({ length: n }, (_, k) => (n === total ? k : Math.floor((k * total) / n)));
    const all = this.model.spikeClusters(channel);
    const d = ch.nFeat;
    const features = new Float32Array(n * d);
    spikeIndex.forEach((s, k) => features.set(ch.features.subarray(s * d, (s + 1) * d), k * d));
    return { channel, nFeat: d, featureNames: this.featureNames(d), features, spikeIndex, clusters: Int32Array.from(spikeIndex, (s) => all[s]), total };
  }

  private times(id: ClusterId): { ch: ChannelSpikes; idx: Int32Array; t: Int32Array } {
    const s = this.model.summary(id);
    const ch = this.channel(s.channel);
    const idx = this.model.spikesOf(id);
    return { ch, idx, t: Int32Array.from(idx, (i) => ch.samples[i]) };
  }

  unitDetail(id: ClusterId): UnitDetail {
    const { ch, idx, t } = this.times(id);
    const meta = this.result.meta;
    const fs = meta.sampleRate;
    const w = this.width();
    const wf = waveformSummary(ch.waveforms, w, idx, 30, new Rng(id + 1));
    const isi = isiHistogram(t, fs, { binMs: 0.5, maxMs: 50, refractoryMs: 1.5 });
    const acg = correlogram(t, null, fs, { binMs: 1, windowMs: 100 });
    const binS = Math.max(1, Math.round(meta.nSamples / fs / 60));
    const amps = Float32Array.from(idx, (i) => ch.amplitudes[i]);
    const tc = timeCourse(t, fs, meta.nSamples, binS, amps);
    const step = Math.max(1, Math.ceil(idx.length / MAX_AMP_POINTS));
    const pick = Array.from({ length: Math.ceil(idx.length / step) }, (_, k) => k * step);
    return {
      id, channel: ch.channel, nSpikes: idx.length, sampleRate: fs, pre: this.result.pre, width: w,
      mean: wf.mean, sd: wf.sd, samples: wf.samples,
      isi: { binMs: isi.binMs, counts: isi.counts, refractoryMs: isi.refractoryMs, violationFraction: isi.violationFraction },
      acg: { lagsMs: acg.lagsMs, counts: acg.counts },
      time: { startS: tc.startS, rateHz: tc.rateHz, ampMean: tc.ampMean },
      ampT: Float32Array.from(pick, (k) => t[k] / fs), amp: Float32Array.from(pick, (k) => amps[k]),
    };
  }

  /** The other units of the unit's channel, most similar first: merge candidates for the curator. */
  similarUnits(id: ClusterId): SimilarUnit[] {
    const channel = this.model.summary(id).channel;
    const a = this.mean(id);
    return this.model.clusters().filter((c) => c.channel === channel && c.id !== id)
      .map((c) => ({ id: c.id, nSpikes: c.nSpikes, similarity: waveformSimilarity(a, this.mean(c.id)) }))
      .sort((x, y) => y.similarity - x.similarity || x.id - y.id);
  }

  /** A cluster's mean waveform as unitDetail's `mean` (without its spread, ISI and correlograms). */
  meanWaveform(id: ClusterId): Float32Array {
    return Float32Array.from(this.mean(id));
  }

  /** A cluster's mean waveform (cached: an id never changes its spikes). */
  private mean(id: ClusterId): Float64Array {
    const channel = this.model.summary(id).channel; // NOT_FOUND for an id undo took away, cached or not
    let m = this.meanCache.get(id);
    if (!m) {
      const ch = this.channel(channel);
      m = meanWaveform(ch.waveforms, this.width(), this.model.spikesOf(id));
      this.meanCache.set(id, m);
    }
    return m;
  }

  crossCorrelogram(a: ClusterId, b: ClusterId): CorrelogramDTO {
    const ta = this.times(a).t, tb = this.times(b).t;
    const c = correlogram(ta, tb, this.result.meta.sampleRate, { binMs: 1, windowMs: 100 });
    return { a, b, lagsMs: c.lagsMs, counts: c.counts };
  }

  async curate(action: CurationAction, selection: ClusterId[] | undefined, recluster: Reclusterer): Promise<UpdateInfo> {
    this.writable();
    const a = action as { kind?: unknown; id?: unknown; k?: unknown; lasso?: unknown };
    if (a?.kind === 'split' && a.lasso && typeof a.id === 'number' && this.model.has(a.id)) {
      const ch = this.channel(this.model.summary(a.id).channel);
      return applyAction(this.model, action, { features: { features: ch.features, nFeat: ch.nFeat }, selection });
    }
    if (a?.kind === 'recluster' && typeof a.id === 'number' && this.model.has(a.id)) {
      const ch = this.channel(this.model.summary(a.id).channel);
      const idx = this.model.spikesOf(a.id);
      const d = ch.nFeat;
      const X = new Float32Array(idx.length * d);
      idx.forEach((s, k) => X.set(ch.features.subarray(s * d, (s + 1) * d), k * d));
      const subLabels = await recluster(X, idx.length, d, Number(a.k), this.params?.cluster.seed ?? 1);
      return applyAction(this.model, action, { subLabels, selection });
    }
    return applyAction(this.model, action, { selection });
  }

  /** The curated state as units with their spike samples (to keep it as a version, or match against it). */
  curatedView(): CuratedSortView {
    const units = this.model.clusters().map((c) => {
      const ch = this.channel(c.channel);
      return { id: c.id, channel: c.channel, label: c.label, samples: Int32Array.from(this.model.spikesOf(c.id), (i) => ch.samples[i]) };
    });
    return { runId: this.runId, journalRecords: this.model.applied.length, journalPath: this.report.path, units };
  }

  undo(): UpdateInfo | null { this.writable(); return this.model.undo(); }
  redo(): UpdateInfo | null { this.writable(); return this.model.redo(); }

  /** Spikes of the given channels in [start, end) samples with their current cluster, and the detection threshold. */
  marks(channels: number[], start: number, end: number): Pick<SpikeMarks, 'times' | 'clusters' | 'thresholdUv'> {
    const fs = this.result.meta.sampleRate;
    const det = this.params?.detect;
    const times: Float64Array[] = [], clusters: Int32Array[] = [], thresholdUv: (number | null)[] = [];
    for (const c of channels) {
      const ch = this.byChannel.get(c);
      if (!ch) { times.push(new Float64Array(0)); clusters.push(new Int32Array(0)); thresholdUv.push(null); continue; }
      const lo = lowerBound(ch.samples, start), hi = lowerBound(ch.samples, end);
      const all = this.model.spikeClusters(c);
      times.push(Float64Array.from({ length: hi - lo }, (_, k) => ch.samples[lo + k] / fs));
      clusters.push(all.slice(lo, hi));
      thresholdUv.push(det ? (det.polarity === 'pos' ? 1 : -1) * det.threshold * ch.sigma : null);
    }
    return { times, clusters, thresholdUv };
  }
}

function lowerBound(a: Int32Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < v) lo = m + 1; else hi = m; }
  return lo;
}

function journalWarning(r: JournalLoadReport): string {
  const d = r.damaged!;
  return `line ${d.line} of the curation journal ${d.reason}: the ${r.records} steps before it were restored, `
    + `${d.droppedLines} later line(s) were not applied${d.savedAs ? ` (the original journal is kept as ${path.basename(d.savedAs)})` : ''}`;
}
