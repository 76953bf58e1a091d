import { describe, expect, it } from 'vitest';
import { applyAction } from './curation-action';
import { CurationModel, type BaseAssignment } from './curation';
import type { CurationAction } from '../../shared/curation';

const base = (): BaseAssignment => ({ runId: 'r', groups: [{ channel: 1, clusters: Int32Array.of(0, 0, 1, 1, 0, 2) }] });

describe('applyAction', () => {
  it('dispatches every action kind to the model', () => {
    const m = new CurationModel(base());
    expect(applyAction(m, { kind: 'merge', ids: [0, 2] }, { selection: [0, 2] }).added).toEqual([3]);
    expect(applyAction(m, { kind: 'label', ids: [3], label: 'good' }).metadataChanged).toEqual([3]);
    expect(applyAction(m, { kind: 'split', id: 3, spikeIndices: [0, 5] }).added).toEqual([4, 5]);
    const f = Float32Array.of(0, 0, 0, 0, 9, 9, 0, 0, 0, 0, 9, 9);
    const up = applyAction(m, { kind: 'split', id: 1, lasso: { dims: [0, 1], polygon: [[5, 5], [10, 5], [10, 10], [5, 10]] } }, { features: { features: f, nFeat: 2 } });
    expect([...m.spikesOf(up.added[0])]).toEqual([2]);
    expect(applyAction(m, { kind: 'recluster', id: 5, k: 2 }, { subLabels: Int32Array.of(1, 0) }).added).toEqual([8, 9]);
    expect(applyAction(m, { kind: 'labels', labels: [{ id: 8, label: 'mua' }, { id: 9, label: 'good' }] }).metadataChanged).toEqual([8, 9]);
    expect(applyAction(m, { kind: 'delete-as-noise', ids: [4] }).clusters[0].label).toBe('noise');
    expect(m.undo()!.undoState.selection).toEqual([4]);
  });

  it('rejects malformed requests before anything changes', () => {
    const m = new CurationModel(base());
    const bad = (a: unknown, ctx = {}): void => { expect(() => applyAction(m, a as CurationAction, ctx)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' })); };
    bad({ kind: 'merge', ids: [0, 'x'] });
    bad({ kind: 'merge', ids: [] });
    bad({ kind: 'label', ids: [0], label: 'best' });
    bad({ kind: 'split', id: 0 });
    bad({ kind: 'split', id: 0, lasso: { dims: [0], polygon: [] } }, { features: { features: new Float32Array(12), nFeat: 2 } });
    bad({ kind: 'split', id: 0, lasso: { dims: [0, 1], polygon: [[0, 0], [1, 0], [1, 1]] } });
    bad({ kind: 'recluster', id: 0, k: 2 });
    bad({ kind: 'labels', labels: [] });
    bad({ kind: 'labels', labels: [{ id: 0, label: 'best' }] });
    bad({ kind: 'labels', labels: [{ id: -1, label: 'good' }] });
    bad({ kind: 'labels', labels: [[0, 'good']] });
    bad({ kind: 'labels', labels: 'good' });
    bad({ kind: 'explode', ids: [0] });
    bad({ kind: 'merge', ids: [0, 1] }, { selection: 'all' });
    expect(m.canUndo).toBe(false);
    expect(m.clusters().length).toBe(3);
  });
});
