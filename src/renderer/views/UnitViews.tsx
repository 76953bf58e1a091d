// Container: the selected unit's waveforms (mean ± SD and single waveforms), ISI histogram with the
// refractory line, autocorrelogram, cross-correlogram of a selected pair, amplitude and firing rate
// over time. Each plot shows an empty state instead of a blank panel.
import { useEffect, useMemo, useState } from 'react';
import type { CorrelogramDTO, UnitDetail } from '../../shared/api';
import { backend, errorText, type ErrorText } from '../api/client';
import { clusterColor, useSort } from '../stores/sort';
import { MiniPlot, type Series } from '../components/MiniPlot';
import { ErrorBox } from '../components/ErrorBox';

export function UnitViews({ plotH }: { plotH: number }) {
  const { selected, version } = useSort();
  const [detail, setDetail] = useState<UnitDetail | null>(null);
  const [ccg, setCcg] = useState<CorrelogramDTO | null>(null);
  /** The second selected unit's mean waveform, overlaid on the first's (merge candidates compared by shape). */
  const [second, setSecond] = useState<{ id: number; mean: Float32Array } | null>(null);
  const [error, setError] = useState<ErrorText | null>(null);
  const a = selected[0], b = selected[1];
  useEffect(() => {
    if (a === undefined) { setDetail(null); return; }
    let stale = false;
    void backend().then(({ api }) => api.getUnitDetail(a)).then(
      (d) => { if (!stale) { setDetail(d); setError(null); } },
      (e) => { if (!stale) setError(errorText(e)); });
    return () => { stale = true; };
  }, [a, version]);
  useEffect(() => {
    if (a === undefined || b === undefined) { setCcg(null); return; }
    let stale = false;
    void backend().then(({ api }) => api.getCrossCorrelogram(a, b)).then((c) => { if (!stale) setCcg(c); }, (e) => { if (!stale) setError(errorText(e)); });
    return () => { stale = true; };
  }, [a, b, version]);
  useEffect(() => {
    if (b === undefined) { setSecond(null); return; }
    let stale = false;
    void backend().then(({ api }) => api.getMeanWaveform(b)).then((mean) => { if (!stale) setSecond({ id: b, mean }); }, (e) => { if (!stale) setError(errorText(e)); });
    return () => { stale = true; };
  }, [b, version]);

  const plots = useMemo(() => {
    if (!detail) return null;
    const col = clusterColor(detail.id);
    const fs = detail.sampleRate;
    const tMs = Float32Array.from({ length: detail.width }, (_, i) => ((i - detail.pre) / fs) * 1000);
    const singles: Series[] = [];
    for (let r = 0; r * detail.width < detail.samples.length; r++) {
      singles.push({ x: tMs, y: detail.samples.subarray(r * detail.width, (r + 1) * detail.width), color: col, alpha: 0.18, width: 0.8 });
    }
    const isiX = Float32Array.from(detail.isi.counts, (_, i) => (i + 0.5) * detail.isi.binMs);
    return { col, tMs, singles, isiX };
  }, [detail]);

  if (a === undefined) return <div className="unit-views empty">Select a unit in the table (or click a cluster in the scatter) to see its waveforms, ISI and correlograms.</div>;
  if (error) return <ErrorBox error={error} />;
  if (!detail || !plots) return <div className="unit-views empty">Loading unit #{a}…</div>;
  const { col, tMs, singles, isiX } = plots;
  const shown = second && second.id === b && second.mean.length === detail.width ? second : null;
  return (
    <div className="unit-views" data-testid="unit-views">
      <MiniPlot testId="plot-waveforms" title={shown ? `#${detail.id} · n=${detail.nSpikes} · mean ± SD; #${shown.id} mean (dashed)` : `#${detail.id} · n=${detail.nSpikes} · mean ± SD`}
        height={plotH} xLabel="time from trough (ms)" yLabel="µV"
        series={[...singles, { x: tMs, y: detail.mean, color: col, width: 2.2, name: 'mean' },
          ...(shown ? [{ x: tMs, y: shown.mean, color: clusterColor(shown.id), width: 2.2, dash: true, name: `#${shown.id}` }] : [])]}
        bands={[{ x: tMs, lo: Float32Array.from(detail.mean, (m, i) => m - detail.sd[i]), hi: Float32Array.from(detail.mean, (m, i) => m + detail.sd[i]), color: col, alpha: 0.2 }]}
        vlines={[{ x: 0, color: '#888', dash: true }]} />
      <MiniPlot testId="plot-isi" title={`ISI · ${(detail.isi.violationFraction * 100).toFixed(2)}% < ${detail.isi.refractoryMs} ms`} height={plotH} xLabel="interval (ms)" yLabel="spikes" yMin={0} logToggle
        series={[{ x: isiX, y: detail.isi.counts, color: col, kind: 'bar' }]}
        vlines={[{ x: detail.isi.refractoryMs, color: '#d33', dash: true, label: 'refractory' }]} />
      <MiniPlot testId="plot-acg" title="Autocorrelogram" height={plotH} xLabel="lag (ms)" yLabel="spike pairs" yMin={0} logToggle
        series={[{ x: detail.acg.lagsMs, y: detail.acg.counts, color: col, kind: 'bar' }]}
        vlines={[{ x: -1.5, color: '#d33', dash: true }, { x: 1.5, color: '#d33', dash: true }]} />
      <MiniPlot testId="plot-ccg" title={ccg ? `Cross-correlogram #${ccg.a} → #${ccg.b}` : 'Cross-correlogram'} height={plotH} xLabel="lag (ms)" yLabel="spike pairs" yMin={0} logToggle
        empty="Ctrl+click a second unit to compare"
        series={ccg ? [{ x: ccg.lagsMs, y: ccg.counts, color: clusterColor(ccg.b), kind: 'bar' }] : []} />
      <MiniPlot testId="plot-amplitude" title="Amplitude over time" height={plotH} xLabel="time (s)" yLabel="amplitude (µV)"
        series={[{ x: detail.ampT, y: detail.amp, color: col, kind: 'dots', alpha: 0.5 }]} />
      <MiniPlot testId="plot-rate" title="Firing rate over time" height={plotH} xLabel="time (s)" yLabel="rate (Hz)" yMin={0}
        series={[{ x: detail.time.startS, y: detail.time.rateHz, color: col, width: 1.6 }]} />
    </div>
  );
}
