// Checks that a history entry can be applied to the current model state (clusters exist, spikes
// belong to the cluster, new ids are free, sub-labels fit). Run before any state changes, so that
// applying never fails half-way and a journal line that does not fit is reported, not half-applied.

import type { ClusterId } from '../../shared/curation';
import { isLabel } from '../../shared/curation';
import { badRequest, type HistoryEntry } from './curation-entries';

/** The parts of the model state that validation reads. */
export interface ModelView {
  members: ReadonlyMap<ClusterId, Int32Array>;
  groupOf: ReadonlyMap<ClusterId, number>;
  assign: Int32Array;
  offsets: Int32Array;
}

function need(st: ModelView, id: ClusterId): Int32Array {
  const m = st.members.get(id);
  if (!m) badRequest(`cluster ${id} does not exist`, 'refresh the cluster list; it may have been merged or split');
  return m;
}

export function validateEntry(e: HistoryEntry, st: ModelView): void {
  const fresh = (ids: ClusterId[]): void => {
    for (const x of ids) if (!Number.isInteger(x) || x < 0 || st.members.has(x)) badRequest(`new cluster id ${x} is not free`, 'the history is inconsistent');
    if (new Set(ids).size !== ids.length) badRequest('new cluster ids repeat', 'the history is inconsistent');
  };
  switch (e.kind) {
    case 'merge': {
      if (new Set(e.ids).size !== e.ids.length || e.ids.length < 2) badRequest('a merge needs at least two different clusters', 'select two or more clusters');
      const g = new Set(e.ids.map((id) => { need(st, id); return st.groupOf.get(id)!; }));
      if (g.size > 1) badRequest(`clusters ${e.ids.join(', ')} are on different channels`, 'merge only clusters of the same channel');
      fresh([e.newId]);
      return;
    }
    case 'split': {
      const m = need(st, e.id);
      const off = st.offsets[st.groupOf.get(e.id)!];
      const n = st.offsets[st.groupOf.get(e.id)! + 1] - off;
      for (let i = 0; i < e.spikes.length; i++) {
        const s = e.spikes[i];
        if (s < 0 || s >= n || st.assign[off + s] !== e.id || (i > 0 && s <= e.spikes[i - 1]))
          badRequest(`spike ${s} is not in cluster ${e.id}`, 'select spikes of the cluster being split');
      }
      if (e.spikes.length === 0) badRequest(`the selection holds no spike of cluster ${e.id}`, 'draw the lasso around some of its spikes');
      if (e.spikes.length === m.length) badRequest(`the selection holds every spike of cluster ${e.id}`, 'leave some spikes outside the selection');
      fresh(e.newIds);
      return;
    }
    case 'recluster': {
      const m = need(st, e.id);
      if (!Number.isInteger(e.k) || e.k < 2 || e.k > 256) badRequest(`recluster into ${e.k} parts`, 'use k from 2 to 256');
      if (e.subLabels.length !== m.length) badRequest(`${e.subLabels.length} sub-labels for ${m.length} spikes of cluster ${e.id}`, 'compute one sub-label per spike');
      for (let i = 0; i < e.subLabels.length; i++) {
        const l = e.subLabels[i];
        if (!(l >= 0 && l < e.k && Number.isInteger(l))) badRequest(`sub-label ${l} is outside 0..${e.k - 1}`, 'use sub-labels 0..k-1');
        if (e.newIds[l] === undefined || e.newIds[l] < 0) badRequest(`sub-label ${l} has no new id`, 'the history is inconsistent');
      }
      const used = e.newIds.filter((x) => x >= 0);
      if (e.newIds.length !== e.k) badRequest('recluster entry lists the wrong number of ids', 'the history is inconsistent');
      if (used.length < 2) badRequest(`reclustering ${e.id} gave a single part`, 'try a larger k or another method');
      fresh(used);
      return;
    }
    case 'label': {
      if (e.ids.length === 0) badRequest('no cluster selected', 'select a cluster to label');
      if (!isLabel(e.label)) badRequest(`unknown label ${String(e.label)}`, 'use good, mua, noise or unsorted');
      for (const id of e.ids) need(st, id);
      return;
    }
    case 'labels': {
      if (e.labels.length === 0) badRequest('no cluster to label', 'give at least one cluster and its label');
      const seen = new Set<number>();
      for (const { id, label } of e.labels) {
        if (!isLabel(label)) badRequest(`unknown label ${String(label)}`, 'use good, mua, noise or unsorted');
        if (seen.has(id)) badRequest(`cluster ${id} is labelled twice`, 'give each cluster one label');
        seen.add(id);
        need(st, id);
      }
      return;
    }
  }
}
