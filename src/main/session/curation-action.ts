// Entry point for curation requests that cross the process boundary: validates a CurationAction
// DTO from the renderer (untrusted shapes) and dispatches it to the model. Lasso splits need the
// channel's feature matrix and reclusters the sub-labels computed by a worker; the caller supplies both.

import type { ClusterId, CurationAction, UpdateInfo } from '../../shared/curation';
import { isLabel, type Label } from '../../shared/curation';
import type { CurationModel } from './curation';
import { badRequest } from './curation-entries';

export interface ActionContext {
  /** Feature matrix of the cluster's channel (row-major spikes x nFeat), for lasso splits. */
  features?: { features: Float32Array; nFeat: number };
  /** Sub-labels 0..k-1 per spike of the cluster (ascending spike order), for reclusters. */
  subLabels?: Int32Array;
  /** The view's selection before the action, restored on undo. */
  selection?: ClusterId[];
}

const isId = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

function ids(x: unknown, what: string): ClusterId[] {
  if (!Array.isArray(x) || x.length === 0 || !x.every(isId)) badRequest(`${what} must be a non-empty list of cluster ids`, 'select clusters first');
  return x;
}

/** Validate `action` and apply it; throws BAD_REQUEST (nothing changes) when it is malformed or impossible. */
export function applyAction(model: CurationModel, action: CurationAction, ctx: ActionContext = {}): UpdateInfo {
  const a = action as unknown as Record<string, unknown>;
  if (typeof a !== 'object' || a === null) badRequest('the curation request is empty', 'send an action object');
  const sel = ctx.selection !== undefined ? ids(ctx.selection, 'selection') : undefined;
  switch (a.kind) {
    case 'merge':
      return model.merge(ids(a.ids, 'merge ids'), sel);
    case 'label':
      if (!isLabel(a.label)) badRequest(`unknown label ${String(a.label)}`, 'use good, mua, noise or unsorted');
      return model.setLabel(ids(a.ids, 'label ids'), a.label, sel);
    case 'labels': {
      const l = a.labels;
      if (!Array.isArray(l) || l.length === 0) badRequest('labels must be a non-empty list of { id, label }', 'give each cluster its label');
      for (const x of l as unknown[]) {
        const o = x as { id?: unknown; label?: unknown } | null;
        if (!o || !isId(o.id) || !isLabel(o.label)) badRequest('each entry of labels must be { id, label } with label good, mua, noise or unsorted', 'give each cluster its label');
      }
      return model.setLabels(l as { id: ClusterId; label: Label }[], sel);
    }
    case 'delete-as-noise':
      return model.deleteAsNoise(ids(a.ids, 'delete ids'), sel);
    case 'split': {
      if (!isId(a.id)) badRequest('split needs a cluster id', 'select one cluster');
      if ('lasso' in a && a.lasso) {
        const l = a.lasso as { dims?: unknown; polygon?: unknown };
        const dimsOk = Array.isArray(l.dims) && l.dims.length === 2 && l.dims.every((d) => Number.isInteger(d));
        const polyOk = Array.isArray(l.polygon) && l.polygon.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number'));
        if (!dimsOk || !polyOk) badRequest('the lasso needs two feature dimensions and a list of [x, y] points', 'redraw the lasso');
        if (!ctx.features) badRequest('a lasso split needs the channel\'s features', 'load the feature view of this channel');
        const dims = l.dims as number[];
        const lasso = { dims: [dims[0], dims[1]] as [number, number], polygon: l.polygon as [number, number][] };
        return model.splitLasso(a.id, lasso, ctx.features.features, ctx.features.nFeat, sel);
      }
      const s = a.spikeIndices;
      if (!(s instanceof Int32Array) && !(Array.isArray(s) && s.every((v) => Number.isInteger(v)))) badRequest('split needs spike indices or a lasso', 'select spikes or draw a lasso');
      return model.split(a.id, s as Int32Array | number[], sel);
    }
    case 'recluster':
      if (!isId(a.id)) badRequest('recluster needs a cluster id', 'select one cluster');
      if (!Number.isInteger(a.k)) badRequest(`recluster into ${String(a.k)} parts`, 'use a whole number of parts from 2');
      if (!ctx.subLabels) badRequest('recluster needs sub-labels from the clustering worker', 'run the reclustering first');
      return model.recluster(a.id, a.k as number, ctx.subLabels, sel);
    default:
      return badRequest(`unknown curation action ${String(a.kind)}`, 'use merge, split, label, labels, delete-as-noise or recluster');
  }
}
