// The curation model (phy's clustering model as pure code): a base assignment spike -> cluster per
// channel, a linear history of merges, splits, reclusters and label changes with undo/redo, new ids
// for every change that are never reused, and an UpdateInfo per change so views update incrementally.
// State is rebuilt on undo by replaying the history on the base; actions cost O(spikes touched).

import type { ClusterId, ClusterSummary, Label, LassoPolygon, UpdateInfo } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';
import { spikesInPolygon } from '../../workers/sort/lasso';
import {
  actionKind, badRequest, describeEntry, difference, entryDelta, mergeMany, relabelled, sortedUnique,
  type HistoryEntry, type HistoryRecord,
} from './curation-entries';
import { validateEntry } from './curation-validate';

export type { HistoryEntry, HistoryRecord } from './curation-entries';

/** The sorter's result for one channel (or channel group): cluster id per spike, in spike order; -1 = unassigned. */
export interface BaseGroup { channel: number; clusters: Int32Array }
export interface BaseAssignment { runId: string; groups: BaseGroup[] }

export interface CurationOptions {
  /** Called with each record before the state changes (write-ahead); if it throws, nothing changes. */
  onRecord?: (r: HistoryRecord) => void;
}

export class CurationModel {
  readonly runId: string;
  private readonly offsets: Int32Array;
  private readonly channels: number[];
  private readonly base: Int32Array;
  private readonly baseMembers = new Map<ClusterId, Int32Array>();
  private readonly baseGroup = new Map<ClusterId, number>();
  private readonly assign: Int32Array;
  private members = new Map<ClusterId, Int32Array>();
  private groupOf = new Map<ClusterId, number>();
  private labels = new Map<ClusterId, Label>();
  private history: HistoryEntry[] = [];
  private pos = 0;
  private counter: number;
  onRecord?: (r: HistoryRecord) => void;

  constructor(base: BaseAssignment, options: CurationOptions = {}) {
    this.runId = base.runId;
    this.onRecord = options.onRecord;
    this.channels = base.groups.map((g) => g.channel);
    if (new Set(this.channels).size !== this.channels.length)
      badRequest('two groups of the base assignment share a channel', 'give every channel group its own channel number');
    this.offsets = new Int32Array(base.groups.length + 1);
    base.groups.forEach((g, i) => {
      if (!(g.clusters instanceof Int32Array)) badRequest(`cluster ids of channel ${g.channel} are not an Int32Array`, 'pass the sorter output as Int32Array');
      this.offsets[i + 1] = this.offsets[i] + g.clusters.length;
    });
    this.base = new Int32Array(this.offsets[base.groups.length]);
    base.groups.forEach((g, i) => this.base.set(g.clusters, this.offsets[i]));
    this.counter = this.indexBase();
    this.assign = this.base.slice();
    this.resetToBase();
  }

  /** Groups spike indices by cluster id in O(n) with typed arrays (ids compacted first when they are sparse). */
  private indexBase(): number {
    const b = this.base;
    let maxId = -1;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c < -1) badRequest(`spike ${i} has cluster id ${c}`, 'use -1 for unassigned spikes and ids >= 0 for clusters');
      if (c > maxId) maxId = c;
    }
    if (maxId >= 2 ** 30) badRequest(`cluster id ${maxId} is too large`, 'number clusters from 0 upwards');
    // Slot per spike: the id itself when ids are small (as sorters produce), else a compact index.
    let slotOf: Int32Array = b;
    let idOfSlot: Int32Array | null = null;
    if (maxId >= Math.max(1 << 16, 2 * b.length)) {
      const map = new Map<number, number>();
      slotOf = new Int32Array(b.length);
      for (let i = 0; i < b.length; i++) {
        const c = b[i];
        if (c < 0) { slotOf[i] = -1; continue; }
        let k = map.get(c);
        if (k === undefined) { k = map.size; map.set(c, k); }
        slotOf[i] = k;
      }
      idOfSlot = Int32Array.from(map.keys());
    }
    const nSlots = idOfSlot ? idOfSlot.length : maxId + 1;
    const counts = new Int32Array(nSlots);
    const groupOfSlot = new Int32Array(nSlots).fill(-1);
    for (let g = 0; g < this.channels.length; g++) {
      for (let i = this.offsets[g]; i < this.offsets[g + 1]; i++) {
        const k = slotOf[i];
        if (k < 0) continue;
        counts[k]++;
        const prev = groupOfSlot[k];
        if (prev === g) continue;
        if (prev >= 0) badRequest(`cluster id ${b[i]} appears on channels ${this.channels[prev]} and ${this.channels[g]}`, 'make cluster ids unique across channels (offset each channel\'s ids)');
        groupOfSlot[k] = g;
      }
    }
    const arrays: (Int32Array | null)[] = Array.from(counts, (n) => (n > 0 ? new Int32Array(n) : null));
    const fill = new Int32Array(nSlots);
    for (let i = 0; i < b.length; i++) { const k = slotOf[i]; if (k >= 0) arrays[k]![fill[k]++] = i; }
    arrays.forEach((a, k) => {
      if (!a) return;
      const id = idOfSlot ? idOfSlot[k] : k;
      this.baseMembers.set(id, a);
      this.baseGroup.set(id, groupOfSlot[k]);
    });
    return maxId + 1;
  }

  private resetToBase(): void {
    this.assign.set(this.base);
    this.members = new Map(this.baseMembers);
    this.groupOf = new Map(this.baseGroup);
    this.labels = new Map();
    for (const id of this.baseMembers.keys()) this.labels.set(id, 'unsorted');
  }

  // ---- queries ------------------------------------------------------------------------------

  get nextId(): ClusterId { return this.counter; }
  get canUndo(): boolean { return this.pos > 0; }
  get canRedo(): boolean { return this.pos < this.history.length; }
  /** Entries currently applied (oldest first). */
  get applied(): readonly HistoryEntry[] { return this.history.slice(0, this.pos); }
  get redoable(): readonly HistoryEntry[] { return this.history.slice(this.pos); }
  get nSpikes(): number { return this.base.length; }

  has(id: ClusterId): boolean { return this.members.has(id); }

  summary(id: ClusterId): ClusterSummary {
    const m = this.members.get(id);
    if (!m) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `cluster ${id} does not exist`, fix: 'refresh the cluster list' });
    return { id, channel: this.channels[this.groupOf.get(id)!], nSpikes: m.length, label: this.labels.get(id)! };
  }

  clusters(): ClusterSummary[] {
    return [...this.members.keys()].sort((a, b) => a - b).map((id) => this.summary(id));
  }

  label(id: ClusterId): Label { return this.summary(id).label; }

  /** Channel-local spike indices of a cluster, ascending. */
  spikesOf(id: ClusterId): Int32Array {
    this.summary(id);
    const off = this.offsets[this.groupOf.get(id)!];
    return this.members.get(id)!.map((s) => s - off);
  }

  /** Current cluster id of every spike of a channel (a copy). */
  spikeClusters(channel: number): Int32Array {
    const g = this.groupIndex(channel);
    return this.assign.slice(this.offsets[g], this.offsets[g + 1]);
  }

  private groupIndex(channel: number): number {
    const g = this.channels.indexOf(channel);
    if (g < 0) throw new SpikeDeskError({ code: 'NOT_FOUND', message: `channel ${channel} has no sorted spikes`, fix: 'pick a channel of the last sort run' });
    return g;
  }

  private need(id: ClusterId): Int32Array {
    const m = this.members.get(id);
    if (!m) badRequest(`cluster ${id} does not exist`, 'refresh the cluster list; it may have been merged or split');
    return m;
  }

  // ---- actions --------------------------------------------------------------------------------

  merge(ids: ClusterId[], selection?: ClusterId[]): UpdateInfo {
    return this.doNew((next) => ({ kind: 'merge', ids: [...ids], newId: next, selection }));
  }

  /** Split the given channel-local spikes off a cluster; the rest becomes another new cluster. */
  split(id: ClusterId, spikeIndices: Int32Array | number[], selection?: ClusterId[], lasso?: LassoPolygon): UpdateInfo {
    if (!(spikeIndices instanceof Int32Array)) for (const s of spikeIndices) if (!Number.isInteger(s)) badRequest(`spike index ${s} is not an integer`, 'pass channel-local spike indices');
    const spikes = sortedUnique(spikeIndices);
    return this.doNew((next) => ({ kind: 'split', id, spikes, newIds: [next, next + 1], selection, lasso }));
  }

  /** Lasso split over ALL spikes of the cluster (not only the ones drawn), on the channel's feature matrix. */
  splitLasso(id: ClusterId, lasso: LassoPolygon, features: Float32Array, nFeat: number, selection?: ClusterId[]): UpdateInfo {
    const inside = spikesInPolygon(features, nFeat, lasso.dims, this.spikesOf(id), lasso.polygon);
    return this.split(id, inside, selection, lasso);
  }

  /** Split into k parts given sub-labels (0..k-1) for the cluster's spikes in ascending spike order. */
  recluster(id: ClusterId, k: number, subLabels: Int32Array, selection?: ClusterId[]): UpdateInfo {
    return this.doNew((next) => {
      const present = new Uint8Array(Math.max(0, Math.min(k, 256)));
      for (let i = 0; i < subLabels.length; i++) if (subLabels[i] >= 0 && subLabels[i] < present.length) present[subLabels[i]] = 1;
      let n = next;
      const newIds = [...present].map((p) => (p ? n++ : -1));
      return { kind: 'recluster', id, k, subLabels: Int32Array.from(subLabels), newIds, selection };
    });
  }

  setLabel(ids: ClusterId[], label: Label, selection?: ClusterId[]): UpdateInfo {
    return this.doNew(() => ({ kind: 'label', ids: [...ids], label, asNoise: false, selection }));
  }

  /** One label per cluster, as a single undoable step. */
  setLabels(labels: { id: ClusterId; label: Label }[], selection?: ClusterId[]): UpdateInfo {
    return this.doNew(() => ({ kind: 'labels', labels: labels.map(({ id, label }) => ({ id, label })), selection }));
  }

  /** phy's "delete": the cluster stays, labelled noise. */
  deleteAsNoise(ids: ClusterId[], selection?: ClusterId[]): UpdateInfo {
    return this.doNew(() => ({ kind: 'label', ids: [...ids], label: 'noise', asNoise: true, selection }));
  }

  undo(): UpdateInfo | null {
    if (!this.canUndo) return null;
    this.onRecord?.({ type: 'undo' });
    const e = this.history[--this.pos];
    this.rebuild();
    const { added, deleted } = entryDelta(e);
    // Spikes of the undone clusters go back to their parents: [old, new] = [child, parent].
    const descendants = added.flatMap((a) => deleted.map((d): [number, number] => [a, d]));
    return this.update(e, 'undo', deleted, added, descendants, e.selection ?? relabelled(e) ?? deleted);
  }

  redo(): UpdateInfo | null {
    if (!this.canRedo) return null;
    this.onRecord?.({ type: 'redo' });
    const e = this.history[this.pos++];
    this.apply(e);
    return this.doneUpdate(e, 'redo');
  }

  private doNew(make: (nextId: ClusterId) => HistoryEntry): UpdateInfo {
    const e = make(this.counter);
    this.validate(e);
    this.onRecord?.({ type: 'do', entry: e });
    const { added } = entryDelta(e);
    for (const a of added) this.counter = Math.max(this.counter, a + 1);
    this.history.length = this.pos;
    this.history.push(e);
    this.pos++;
    this.apply(e);
    return this.doneUpdate(e, 'do');
  }

  /** Rebuild the state from the base plus the applied part of the history. O(total). */
  private rebuild(): void {
    this.resetToBase();
    for (let i = 0; i < this.pos; i++) this.apply(this.history[i]);
  }

  /**
   * Replace the history by records read from a journal, then rebuild once (so a long journal with
   * many undos still loads in O(total)). Throws a BAD_REQUEST naming the record that does not fit.
   */
  restore(records: HistoryRecord[]): void {
    this.history = []; this.pos = 0;
    records.forEach((r, i) => {
      const where = `record ${i + 1}`;
      if (r.type === 'undo') { if (this.pos === 0) badRequest(`${where}: undo with nothing to undo`, 'the journal is inconsistent'); this.pos--; return; }
      if (r.type === 'redo') { if (this.pos === this.history.length) badRequest(`${where}: redo with nothing to redo`, 'the journal is inconsistent'); this.pos++; return; }
      const { added } = entryDelta(r.entry);
      if (added.some((x) => x < this.counter)) badRequest(`${where}: cluster ids ${added.join(', ')} were already used`, 'the journal is inconsistent');
      for (const a of added) this.counter = Math.max(this.counter, a + 1);
      this.history.length = this.pos;
      this.history.push(r.entry);
      this.pos++;
    });
    this.resetToBase();
    for (let i = 0; i < this.pos; i++) {
      try { this.validate(this.history[i]); } catch (e) {
        badRequest(`history entry ${i + 1} (${describeEntry(this.history[i])}) does not apply: ${(e as Error).message}`, 'the journal does not belong to this sort result');
      }
      this.apply(this.history[i]);
    }
  }

  // ---- internals ------------------------------------------------------------------------------

  /** All checks happen before any state changes, so apply() cannot fail half-way. */
  private validate(e: HistoryEntry): void {
    validateEntry(e, { members: this.members, groupOf: this.groupOf, assign: this.assign, offsets: this.offsets });
  }

  private apply(e: HistoryEntry): void {
    switch (e.kind) {
      case 'merge': {
        const parts = e.ids.map((id) => this.members.get(id)!);
        const inherit = this.largestParent(e.ids);
        const merged = mergeMany(parts);
        this.create(e.newId, merged, this.groupOf.get(e.ids[0])!, this.labels.get(inherit)!);
        for (const id of e.ids) this.remove(id);
        return;
      }
      case 'split': {
        const m = this.members.get(e.id)!;
        const g = this.groupOf.get(e.id)!;
        const off = this.offsets[g];
        const inside = e.spikes.map((s) => s + off);
        const label = this.labels.get(e.id)!;
        this.create(e.newIds[0], inside, g, label);
        this.create(e.newIds[1], difference(m, inside), g, label);
        this.remove(e.id);
        return;
      }
      case 'recluster': {
        const m = this.members.get(e.id)!;
        const g = this.groupOf.get(e.id)!;
        const label = this.labels.get(e.id)!;
        const counts = new Int32Array(e.k);
        for (let i = 0; i < m.length; i++) counts[e.subLabels[i]]++;
        const parts = [...counts].map((c) => new Int32Array(c));
        const fill = new Int32Array(e.k);
        for (let i = 0; i < m.length; i++) { const l = e.subLabels[i]; parts[l][fill[l]++] = m[i]; }
        parts.forEach((p, l) => { if (p.length) this.create(e.newIds[l], p, g, label); });
        this.remove(e.id);
        return;
      }
      case 'label':
        for (const id of e.ids) this.labels.set(id, e.label);
        return;
      case 'labels':
        for (const { id, label } of e.labels) this.labels.set(id, label);
        return;
    }
  }

  /** Largest by spike count; ties go to the smaller id so replay is deterministic. */
  private largestParent(ids: ClusterId[]): ClusterId {
    let best = ids[0];
    for (const id of ids) {
      const n = this.members.get(id)!.length, nb = this.members.get(best)!.length;
      if (n > nb || (n === nb && id < best)) best = id;
    }
    return best;
  }

  private create(id: ClusterId, spikes: Int32Array, group: number, label: Label): void {
    this.members.set(id, spikes);
    this.groupOf.set(id, group);
    this.labels.set(id, label);
    for (let i = 0; i < spikes.length; i++) this.assign[spikes[i]] = id;
  }

  private remove(id: ClusterId): void {
    this.members.delete(id); this.groupOf.delete(id); this.labels.delete(id);
  }

  private doneUpdate(e: HistoryEntry, history: 'do' | 'redo'): UpdateInfo {
    const { added, deleted } = entryDelta(e);
    const descendants = deleted.flatMap((d) => added.map((a): [number, number] => [d, a]));
    return this.update(e, history, added, deleted, descendants, relabelled(e) ?? added);
  }

  private update(e: HistoryEntry, history: UpdateInfo['history'], added: ClusterId[], deleted: ClusterId[],
    descendants: [ClusterId, ClusterId][], selection: ClusterId[]): UpdateInfo {
    const metadataChanged = [...relabelled(e) ?? []];
    const show = [...added, ...metadataChanged].filter((id) => this.members.has(id));
    return {
      action: actionKind(e), history,
      description: (history === 'do' ? '' : `${history} `) + describeEntry(e),
      added, deleted, descendants, metadataChanged,
      clusters: show.map((id) => this.summary(id)),
      undoState: { canUndo: this.canUndo, canRedo: this.canRedo, selection: [...selection] },
    };
  }
}
