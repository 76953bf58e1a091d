// The resolved, replayable form of curation actions (what the journal stores) and the sorted
// index-array helpers the model uses. Entries carry the ids they created so that redo and replay
// recreate exactly the same clusters, and the spikes a lasso selected so that replay needs no features.

import type { ClusterId, CurationActionKind, Label, LassoPolygon } from '../../shared/curation';
import { SpikeDeskError } from '../../shared/errors';

interface EntryBase {
  /** Selection before the action, restored by undo. */
  selection?: ClusterId[];
}

export type HistoryEntry = EntryBase & (
  | { kind: 'merge'; ids: ClusterId[]; newId: ClusterId }
  /** spikes: sorted unique channel-local indices going to newIds[0]; the rest goes to newIds[1]. */
  | { kind: 'split'; id: ClusterId; spikes: Int32Array; newIds: [ClusterId, ClusterId]; lasso?: LassoPolygon }
  /** newIds[j] receives the spikes with sub-label j, or is -1 when that part is empty. */
  | { kind: 'recluster'; id: ClusterId; k: number; subLabels: Int32Array; newIds: ClusterId[] }
  | { kind: 'label'; ids: ClusterId[]; label: Label; asNoise: boolean }
  /** One label per cluster, in one step. */
  | { kind: 'labels'; labels: { id: ClusterId; label: Label }[] }
);

/** The clusters a label entry relabels (null for entries that change the partition). */
export function relabelled(e: HistoryEntry): ClusterId[] | null {
  if (e.kind === 'label') return e.ids;
  if (e.kind === 'labels') return e.labels.map((x) => x.id);
  return null;
}

/** One line of history as the journal records it; undo and redo are records too. */
export type HistoryRecord = { type: 'do'; entry: HistoryEntry } | { type: 'undo' } | { type: 'redo' };

export function actionKind(e: HistoryEntry): CurationActionKind {
  if (e.kind === 'label') return e.asNoise ? 'delete-as-noise' : 'label';
  return e.kind;
}

/** Clusters an entry removes and creates (label entries change neither). */
export function entryDelta(e: HistoryEntry): { deleted: ClusterId[]; added: ClusterId[] } {
  switch (e.kind) {
    case 'merge': return { deleted: [...e.ids], added: [e.newId] };
    case 'split': return { deleted: [e.id], added: [...e.newIds] };
    case 'recluster': return { deleted: [e.id], added: e.newIds.filter((x) => x >= 0) };
    case 'label': case 'labels': return { deleted: [], added: [] };
  }
}

export function describeEntry(e: HistoryEntry): string {
  switch (e.kind) {
    case 'merge': return `merge ${e.ids.join(', ')} -> ${e.newId}`;
    case 'split': return `split ${e.id} -> ${e.newIds[0]} (${e.spikes.length} spikes${e.lasso ? ', lasso' : ''}), ${e.newIds[1]} (rest)`;
    case 'recluster': return `recluster ${e.id} into ${e.k} -> ${e.newIds.filter((x) => x >= 0).join(', ')}`;
    case 'label': return e.asNoise ? `delete ${e.ids.join(', ')} (noise)` : `label ${e.ids.join(', ')} ${e.label}`;
    case 'labels': {
      // "label 3, 5 good; 4 mua": grouped by label, in the order labels first appear.
      const by = new Map<Label, ClusterId[]>();
      for (const { id, label } of e.labels) { const ids = by.get(label) ?? []; ids.push(id); by.set(label, ids); }
      return `label ${[...by].map(([l, ids]) => `${ids.join(', ')} ${l}`).join('; ')}`;
    }
  }
}

export function badRequest(message: string, fix: string): never {
  throw new SpikeDeskError({ code: 'BAD_REQUEST', message, fix });
}

/** Merge two sorted Int32Arrays into one sorted array (inputs are disjoint). */
export function mergeSorted(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Merge k sorted arrays, smallest first, so the total cost stays O(n log k). */
export function mergeMany(parts: Int32Array[]): Int32Array {
  const q = [...parts].sort((x, y) => x.length - y.length);
  while (q.length > 1) {
    const m = mergeSorted(q.shift()!, q.shift()!);
    let at = q.findIndex((x) => x.length >= m.length);
    if (at < 0) at = q.length;
    q.splice(at, 0, m);
  }
  return q.length ? q[0] : new Int32Array(0);
}

/** Elements of sorted `all` that are not in sorted subset `sub` (sub must be contained in all). */
export function difference(all: Int32Array, sub: Int32Array): Int32Array {
  const out = new Int32Array(all.length - sub.length);
  let j = 0, k = 0;
  for (let i = 0; i < all.length; i++) {
    if (j < sub.length && all[i] === sub[j]) { j++; continue; }
    out[k++] = all[i];
  }
  return out;
}

/** Sorted unique copy of integer indices. */
export function sortedUnique(x: Int32Array | number[]): Int32Array {
  const s = Int32Array.from(x).sort();
  if (s.length === 0) return s;
  let k = 1;
  for (let i = 1; i < s.length; i++) if (s[i] !== s[k - 1]) s[k++] = s[i];
  return k === s.length ? s : s.slice(0, k);
}
