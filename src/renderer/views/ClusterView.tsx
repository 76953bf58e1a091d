// Container: the feature-space view of one channel: 2-D (lasso split) or 3-D scatter coloured by
// cluster, capped with an honest "showing N of M", and re-clustering of the selected cluster with k.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FeatureSet } from '../../shared/api';
import { backend, errorText, type ErrorText } from '../api/client';
import { clusterColor, useSort } from '../stores/sort';
import { useUi } from '../stores/ui';
import { useRecording } from '../stores/recording';
import { ScatterPlot, type ScatterGroup } from '../components/ScatterPlot';
import { ErrorBox } from '../components/ErrorBox';
import { useKept } from '../stores/kept';

declare global {
  interface Window { __spikedeskTest?: { lasso(polygon: [number, number][]): Promise<void>; features(): FeatureSet | null } }
}

export function ClusterView({ height }: { height: number }) {
  const { overview, channel, selected, version, setChannel, select, lassoSplit, recluster, busy } = useSort();
  const meta = useRecording((s) => s.meta);
  const dark = useUi((s) => s.theme === 'dark');
  // Kept while other tabs are shown.
  const [cap, setCap] = useKept('cluster.cap', 5000);
  const [dims, setDims] = useKept<[number, number, number]>('cluster.dims', [0, 1, 2]);
  const [threeD, setThreeD] = useKept('cluster.threeD', false);
  const [k, setK] = useState(2);
  const [fs, setFs] = useState<FeatureSet | null>(null);
  const [error, setError] = useState<ErrorText | null>(null);

  useEffect(() => {
    if (channel === null) return;
    let stale = false;
    void backend().then(({ api }) => api.getFeatures(channel, cap)).then(
      (f) => { if (!stale) { setFs(f); setError(null); } },
      (e) => { if (!stale) setError(errorText(e)); });
    return () => { stale = true; };
  }, [channel, cap, version, overview?.runId]);

  const d = fs?.nFeat ?? 0;
  const dx = Math.min(dims[0], d - 1), dy = Math.min(dims[1], d - 1), dz = Math.min(dims[2], d - 1);
  const groups = useMemo((): ScatterGroup[] => {
    if (!fs) return [];
    const by = new Map<number, ScatterGroup>();
    const labels = new Map(overview?.clusters.map((c) => [c.id, c.label]));
    for (let i = 0; i < fs.spikeIndex.length; i++) {
      const id = fs.clusters[i];
      let g = by.get(id);
      if (!g) {
        g = { id, name: id < 0 ? 'unassigned' : `#${id}${labels.get(id) && labels.get(id) !== 'unsorted' ? ` ${labels.get(id)}` : ''}`, color: clusterColor(id), x: [], y: [], z: [], selected: selected.includes(id) };
        by.set(id, g);
      }
      g.x.push(fs.features[i * d + dx]);
      g.y.push(fs.features[i * d + dy]);
      g.z!.push(fs.features[i * d + dz]);
    }
    return [...by.values()].sort((a, b) => a.id - b.id);
  }, [fs, d, dx, dy, dz, selected, overview]);

  // The lasso handler: the UI and the test hook go through this same function.
  const onLasso = useCallback(async (polygon: [number, number][]) => { await lassoSplit({ dims: [dx, dy], polygon }); }, [lassoSplit, dx, dy]);
  useEffect(() => {
    window.__spikedeskTest = { lasso: onLasso, features: () => fs };
  }, [onLasso, fs]);

  if (!overview) return <div className="panel empty">Run the spike sorting to see clusters in feature space.</div>;
  const names = fs?.featureNames ?? [];
  const dimSel = (i: 0 | 1 | 2, label: string) => (
    <select value={dims[i]} aria-label={label} onChange={(e) => { const n = [...dims] as [number, number, number]; n[i] = Number(e.target.value); setDims(n); }}>
      {names.map((nm, j) => <option key={j} value={j}>{nm}</option>)}
    </select>
  );
  return (
    <div className="panel cluster-view">
      <div className="toolbar">
        <strong>Clusters</strong>
        <select value={channel ?? ''} onChange={(e) => setChannel(Number(e.target.value))} aria-label="cluster channel" data-testid="cluster-channel">
          {overview.channels.map((c) => <option key={c} value={c}>{meta?.channels[c]?.name ?? `ch ${c}`}</option>)}
        </select>
        x {dimSel(0, 'x feature')} y {dimSel(1, 'y feature')} {threeD && <>z {dimSel(2, 'z feature')}</>}
        <label><input type="checkbox" checked={threeD} onChange={(e) => setThreeD(e.target.checked)} data-testid="three-d" /> 3-D</label>
        <select value={cap} onChange={(e) => setCap(Number(e.target.value))} aria-label="points cap">
          {[2000, 5000, 20000, 50000].map((n) => <option key={n} value={n}>≤ {n.toLocaleString()} pts</option>)}
        </select>
      </div>
      <div className="toolbar small">
        <span className="muted" data-testid="showing">{fs ? `showing ${fs.spikeIndex.length.toLocaleString()} of ${fs.total.toLocaleString()} spikes` : 'loading…'}</span>
        <span className="muted" title="the split applies to every spike of the cluster inside the polygon, not only the points drawn">{threeD ? 'drag to rotate' : 'lasso: split the selected unit'}</span>
        <span className="grow" />
        <label>k <input type="number" min={2} max={20} value={k} onChange={(e) => setK(Number(e.target.value))} style={{ width: 48 }} aria-label="recluster k" /></label>
        <button disabled={busy || selected.length !== 1} onClick={() => void recluster(k)} data-testid="recluster" title="Re-cluster the selected cluster into k parts: a GMM on a worker">Re-cluster</button>
      </div>
      {error && <ErrorBox error={error} />}
      {fs && fs.total === 0 && <p className="empty">No spikes on this channel.</p>}
      {fs && fs.total > 0 && (
        <ScatterPlot groups={groups} threeD={threeD} height={height} dark={dark}
          xLabel={names[dx] ?? ''} yLabel={names[dy] ?? ''} zLabel={names[dz] ?? ''}
          onLasso={(p) => void onLasso(p)} onPick={select} resetKey={`${overview.runId}:${version}`} />
      )}
    </div>
  );
}
