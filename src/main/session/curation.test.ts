import { describe, expect, it } from 'vitest';
import { CurationModel, type BaseAssignment, type HistoryRecord } from './curation';
import { Rng } from '../../workers/rng';
import type { ClusterId } from '../../shared/curation';

// Channel 0: clusters 0 (4 spikes), 1 (3), 2 (2), one unassigned; channel 5: clusters 3 (3), 4 (2).
function smallBase(): BaseAssignment {
  return {
    runId: 'run-1',
    groups: [
      { channel: 0, clusters: Int32Array.of(0, 1, 0, 2, 1, 0, -1, 1, 2, 0) },
      { channel: 5, clusters: Int32Array.of(3, 4, 3, 3, 4) },
    ],
  };
}

/** Full observable state, for checkpoint comparisons. */
function snapshot(m: CurationModel, channels: number[]): string {
  return JSON.stringify({ a: channels.map((c) => [...m.spikeClusters(c)]), c: m.clusters() });
}

/** Members, assignment and counts must agree. */
function checkInvariants(m: CurationModel, channels: number[]): void {
  const counts = new Map<ClusterId, number>();
  for (const c of channels) for (const id of m.spikeClusters(c)) if (id >= 0) counts.set(id, (counts.get(id) ?? 0) + 1);
  const cl = m.clusters();
  expect(cl.length).toBe(counts.size);
  for (const s of cl) {
    expect(s.nSpikes).toBe(counts.get(s.id));
    const assign = m.spikeClusters(s.channel);
    for (const i of m.spikesOf(s.id)) expect(assign[i]).toBe(s.id);
  }
}

describe('CurationModel', () => {
  it('indexes the base assignment', () => {
    const m = new CurationModel(smallBase());
    expect(m.clusters().map((c) => [c.id, c.channel, c.nSpikes, c.label])).toEqual([
      [0, 0, 4, 'unsorted'], [1, 0, 3, 'unsorted'], [2, 0, 2, 'unsorted'], [3, 5, 3, 'unsorted'], [4, 5, 2, 'unsorted'],
    ]);
    expect([...m.spikesOf(1)]).toEqual([1, 4, 7]);
    expect(m.nextId).toBe(5);
  });

  it('rejects ids shared across channels and duplicate channels', () => {
    const b = smallBase();
    b.groups[1].clusters[0] = 2;
    expect(() => new CurationModel(b)).toThrow(/appears on channels 0 and 5/);
    const c = smallBase();
    c.groups[1].channel = 0;
    expect(() => new CurationModel(c)).toThrow(/share a channel/);
  });

  it('merges into a new id that inherits the label of the largest parent', () => {
    const m = new CurationModel(smallBase());
    m.setLabel([1], 'good');
    m.setLabel([2], 'mua');
    const up = m.merge([2, 1]);
    expect(up).toMatchObject({ action: 'merge', history: 'do', added: [5], deleted: [2, 1], descendants: [[2, 5], [1, 5]] });
    expect(up.clusters).toEqual([{ id: 5, channel: 0, nSpikes: 5, label: 'good' }]);
    expect(up.undoState).toEqual({ canUndo: true, canRedo: false, selection: [5] });
    expect([...m.spikeClusters(0)]).toEqual([0, 5, 0, 5, 5, 0, -1, 5, 5, 0]);
    expect(m.has(1) || m.has(2)).toBe(false);
    expect(() => m.merge([0, 3])).toThrow(/different channels/);
    expect(() => m.merge([0])).toThrow(/at least two/);
    expect(() => m.merge([0, 1])).toThrow(/cluster 1 does not exist/);
  });

  it('splits a cluster into the selected spikes and the rest, both new ids', () => {
    const m = new CurationModel(smallBase());
    m.setLabel([0], 'mua');
    const up = m.split(0, [5, 0]);
    expect(up).toMatchObject({ added: [5, 6], deleted: [0], descendants: [[0, 5], [0, 6]] });
    expect([...m.spikesOf(5)]).toEqual([0, 5]);
    expect([...m.spikesOf(6)]).toEqual([2, 9]);
    expect(m.label(5)).toBe('mua');
    expect(m.label(6)).toBe('mua');
    expect(() => m.split(5, [0, 5])).toThrow(/every spike/);
    expect(() => m.split(5, [])).toThrow(/no spike/);
    expect(() => m.split(5, [1])).toThrow(/spike 1 is not in cluster 5/);
    expect(() => m.split(5, [0.5])).toThrow(/not an integer/);
  });

  it('splits with a lasso over all spikes of the cluster', () => {
    const m = new CurationModel(smallBase());
    // Feature matrix of channel 0 (10 spikes x 2); cluster 0 holds spikes 0, 2, 5, 9.
    const f = new Float32Array(20);
    [[0, 1, 1], [2, 5, 5], [5, 1.5, 0.5], [9, 8, 8], [1, 1, 1]].forEach(([i, x, y]) => { f[i * 2] = x; f[i * 2 + 1] = y; });
    const up = m.splitLasso(0, { dims: [0, 1], polygon: [[0, 0], [3, 0], [3, 3], [0, 3]] }, f, 2);
    expect([...m.spikesOf(up.added[0])]).toEqual([0, 5]);
    expect(m.applied[0]).toMatchObject({ kind: 'split', lasso: { dims: [0, 1] } });
  });

  it('labels and delete-as-noise change metadata only', () => {
    const m = new CurationModel(smallBase());
    const up = m.setLabel([0, 3], 'good');
    expect(up).toMatchObject({ action: 'label', added: [], deleted: [], metadataChanged: [0, 3] });
    expect(up.clusters.map((c) => c.label)).toEqual(['good', 'good']);
    const del = m.deleteAsNoise([3]);
    expect(del.action).toBe('delete-as-noise');
    expect(m.label(3)).toBe('noise');
    expect(m.clusters().length).toBe(5);
    expect(() => m.setLabel([0], 'great' as never)).toThrow(/unknown label/);
  });

  it('sets several labels in one undoable step, and refuses a bad list without changing anything', () => {
    const m = new CurationModel(smallBase());
    m.setLabel([1], 'noise');
    const s1 = snapshot(m, [0, 5]);
    const up = m.setLabels([{ id: 0, label: 'good' }, { id: 3, label: 'mua' }, { id: 4, label: 'good' }], [2]);
    expect(up).toMatchObject({ action: 'labels', added: [], deleted: [], metadataChanged: [0, 3, 4], description: 'label 0, 4 good; 3 mua' });
    expect([m.label(0), m.label(1), m.label(3), m.label(4)]).toEqual(['good', 'noise', 'mua', 'good']);
    const s2 = snapshot(m, [0, 5]);
    const u = m.undo()!;
    expect(u).toMatchObject({ history: 'undo', metadataChanged: [0, 3, 4], description: 'undo label 0, 4 good; 3 mua' });
    expect(u.undoState.selection).toEqual([2]);
    expect(snapshot(m, [0, 5])).toBe(s1);
    m.redo();
    expect(snapshot(m, [0, 5])).toBe(s2);
    m.undo();
    expect(() => m.setLabels([{ id: 0, label: 'good' }, { id: 0, label: 'mua' }])).toThrow(/cluster 0 is labelled twice/);
    expect(() => m.setLabels([{ id: 0, label: 'good' }, { id: 99, label: 'mua' }])).toThrow(/99/);
    expect(() => m.setLabels([{ id: 0, label: 'great' as never }])).toThrow(/unknown label/);
    expect(() => m.setLabels([])).toThrow(/no cluster/);
    expect(snapshot(m, [0, 5])).toBe(s1);
    expect(m.canRedo).toBe(true); // a refused action leaves the redo stack alone
  });

  it('reclusters into the non-empty parts given sub-labels', () => {
    const m = new CurationModel(smallBase());
    const up = m.recluster(0, 3, Int32Array.of(2, 0, 2, 0));
    expect(up).toMatchObject({ action: 'recluster', added: [5, 6], deleted: [0] });
    expect([...m.spikesOf(5)]).toEqual([2, 9]);
    expect([...m.spikesOf(6)]).toEqual([0, 5]);
    expect(m.nextId).toBe(7);
    expect(() => m.recluster(1, 2, Int32Array.of(0, 0, 0))).toThrow(/single part/);
    expect(() => m.recluster(1, 2, Int32Array.of(0, 1))).toThrow(/2 sub-labels for 3/);
    expect(() => m.recluster(1, 2, Int32Array.of(0, 1, 2))).toThrow(/sub-label 2/);
  });

  it('undoes and redoes in one linear history over cluster and label actions', () => {
    const m = new CurationModel(smallBase());
    const s0 = snapshot(m, [0, 5]);
    m.setLabel([1], 'good');
    const s1 = snapshot(m, [0, 5]);
    m.merge([0, 1], [0, 1]);
    const s2 = snapshot(m, [0, 5]);
    const u = m.undo()!;
    expect(u).toMatchObject({ history: 'undo', added: [0, 1], deleted: [5], descendants: [[5, 0], [5, 1]] });
    expect(u.undoState).toEqual({ canUndo: true, canRedo: true, selection: [0, 1] });
    expect(snapshot(m, [0, 5])).toBe(s1);
    expect(m.undo()!.metadataChanged).toEqual([1]);
    expect(snapshot(m, [0, 5])).toBe(s0);
    expect(m.undo()).toBeNull();
    m.redo(); m.redo();
    expect(snapshot(m, [0, 5])).toBe(s2);
    expect(m.redo()).toBeNull();
  });

  it('never reuses an id, even after undo', () => {
    const m = new CurationModel(smallBase());
    expect(m.merge([0, 1]).added).toEqual([5]);
    m.undo();
    expect(m.merge([0, 2]).added).toEqual([6]);
    expect(m.canRedo).toBe(false);
    m.undo();
    expect(m.split(1, [1]).added).toEqual([7, 8]);
  });

  it('matches checkpoints and invariants through a random session, and restore() rebuilds it', () => {
    const rng = new Rng(11);
    const nA = 3000, nB = 2000;
    const base: BaseAssignment = {
      runId: 'r', groups: [
        { channel: 2, clusters: Int32Array.from({ length: nA }, () => rng.int(6) - (rng.uniform() < 0.05 ? 7 : 0)).map((c) => Math.max(c, -1)) },
        { channel: 7, clusters: Int32Array.from({ length: nB }, () => 10 + rng.int(4)) },
      ],
    };
    const records: HistoryRecord[] = [];
    const m = new CurationModel(base, { onRecord: (r) => records.push(r) });
    const checkpoints = [snapshot(m, [2, 7])];
    let pos = 0;
    for (let step = 0; step < 200; step++) {
      const r = rng.uniform();
      const cl = m.clusters().filter((c) => c.nSpikes > 1);
      const pick = cl[rng.int(cl.length)];
      const same = cl.filter((c) => c.channel === pick.channel && c.id !== pick.id);
      let done = true;
      if (r < 0.2 && m.canUndo) { m.undo(); pos--; expect(snapshot(m, [2, 7])).toBe(checkpoints[pos]); done = false; }
      else if (r < 0.3 && m.canRedo) { m.redo(); pos++; expect(snapshot(m, [2, 7])).toBe(checkpoints[pos]); done = false; }
      else if (r < 0.5 && same.length) m.merge([pick.id, same[rng.int(same.length)].id]);
      else if (r < 0.7) {
        const sp = m.spikesOf(pick.id);
        m.split(pick.id, sp.filter((_, i) => i % 2 === 0));
      } else if (r < 0.8 && pick.nSpikes >= 3) m.recluster(pick.id, 3, Int32Array.from({ length: pick.nSpikes }, (_, i) => i % 3));
      else m.setLabel([pick.id], (['good', 'mua', 'noise'] as const)[rng.int(3)]);
      if (done) { pos++; checkpoints.length = pos; checkpoints.push(snapshot(m, [2, 7])); }
      checkInvariants(m, [2, 7]);
    }
    const again = new CurationModel(base);
    again.restore(records);
    expect(snapshot(again, [2, 7])).toBe(snapshot(m, [2, 7]));
    expect(again.nextId).toBe(m.nextId);
    expect(again.redoable.length).toBe(m.redoable.length);
    if (m.canUndo) { m.undo(); again.undo(); expect(snapshot(again, [2, 7])).toBe(snapshot(m, [2, 7])); }
  }, 300_000); // ~20 CPU-s of random operations with checks: generous for a loaded CI machine

  it('does not change state when the write-ahead record fails', () => {
    const m = new CurationModel(smallBase(), { onRecord: () => { throw new Error('disk full'); } });
    expect(() => m.merge([0, 1])).toThrow(/disk full/);
    expect(m.has(0) && m.has(1)).toBe(true);
    expect(m.nextId).toBe(5);
    expect(m.canUndo).toBe(false);
  });

  it('rejects restore records that do not fit', () => {
    const m = new CurationModel(smallBase());
    expect(() => m.restore([{ type: 'undo' }])).toThrow(/nothing to undo/);
    expect(() => new CurationModel(smallBase()).restore([{ type: 'do', entry: { kind: 'merge', ids: [0, 1], newId: 2 } }])).toThrow(/already used/);
    expect(() => new CurationModel(smallBase()).restore([{ type: 'do', entry: { kind: 'merge', ids: [0, 9], newId: 5 } }])).toThrow(/does not apply/);
  });
});

describe('CurationModel with sparse ids', () => {
  it('indexes large, sparse cluster ids like small ones', () => {
    const big = 50_000_000;
    const m = new CurationModel({ runId: 's', groups: [{ channel: 0, clusters: Int32Array.of(big, 7, big, -1) }, { channel: 1, clusters: Int32Array.of(big + 9) }] });
    expect(m.clusters().map((c) => [c.id, c.channel, c.nSpikes])).toEqual([[7, 0, 1], [big, 0, 2], [big + 9, 1, 1]]);
    expect(m.nextId).toBe(big + 10);
    expect(m.merge([7, big]).added).toEqual([big + 10]);
    expect(() => new CurationModel({ runId: 's', groups: [{ channel: 0, clusters: Int32Array.of(big) }, { channel: 1, clusters: Int32Array.of(big) }] })).toThrow(/appears on channels 0 and 1/);
  });
});
