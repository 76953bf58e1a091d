// Container: every unit across channels with its metrics and label; sort by any column, filter
// by label and text; click selects, Ctrl/Cmd+click adds to the selection. Curation buttons above.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ClusterRow } from '../../shared/api';
import { LABELS, type Label } from '../../shared/curation';
import { clusterColor, useSort } from '../stores/sort';
import { useKept } from '../stores/kept';
import { ErrorBox } from '../components/ErrorBox';
import { hint } from '../lib/shortcuts';
import { decades, large, plural } from '../lib/format';
import { describeRule, judgeUnit, ruleLabels } from '../../shared/quality-rule';

type Col = { key: string; label: string; title: string; get: (r: ClusterRow) => number | string | null; fmt?: (v: number) => string };

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const f1 = (v: number): string => v.toFixed(1);
const f2 = (v: number): string => v.toFixed(2);

export const COLUMNS: Col[] = [
  { key: 'id', label: 'id', title: 'cluster id (new ids after every merge/split)', get: (r) => r.id },
  { key: 'ch', label: 'ch', title: 'channel', get: (r) => r.channelName },
  { key: 'label', label: 'label', title: 'good / mua / noise / unsorted', get: (r) => r.label },
  { key: 'rule', label: 'rule', title: `the quality rule's suggestion: ${describeRule()}; hover a cell for the reasons`, get: (r) => judgeUnit(r.metrics).label },
  { key: 'n', label: 'n', title: 'spikes', get: (r) => r.nSpikes },
  { key: 'rate', label: 'Hz', title: 'firing rate', get: (r) => r.metrics.firingRateHz, fmt: f2 },
  { key: 'snr', label: 'SNR', title: 'peak of the mean waveform / noise sigma', get: (r) => r.metrics.snr, fmt: f1 },
  { key: 'isi', label: 'ISI<1', title: 'ISI<1ms: fraction of inter-spike intervals under 1 ms', get: (r) => r.metrics.isiViolation1ms, fmt: pct },
  { key: 'vr', label: 'viol', title: 'violation ratio: SpikeInterface ISI violation ratio (t_r = 1.5 ms)', get: (r) => r.metrics.violationRatio, fmt: f2 },
  { key: 'iso', label: 'iso', title: 'isolation distance', get: (r) => r.metrics.isolationDistance, fmt: large },
  { key: 'lr', label: 'L-ratio', title: 'L-ratio (lower is better isolated)', get: (r) => r.metrics.lRatio, fmt: decades },
  { key: 'pr', label: 'pres', title: 'presence ratio: fraction of the recording in which the unit fires', get: (r) => r.metrics.presenceRatio, fmt: f2 },
  { key: 'acv', label: 'ampCV', title: 'amplitude coefficient of variation', get: (r) => r.metrics.amplitudeCv, fmt: f2 },
  { key: 'cut', label: 'cut', title: 'amplitude cutoff: estimated fraction of the unit\'s spikes lost below the detection threshold (0.50: the amplitudes are cut at their peak, e.g. noise crossings or a unit mostly under the threshold; — under 100 spikes)', get: (r) => r.metrics.amplitudeCutoff, fmt: f2 },
];

export function CurationBar() {
  const { selected, busy, overview, merge, label, deleteNoise, undo, redo, last, error, openVersions } = useSort();
  const n = selected.length;
  // Another SpikeDesk holds this session's curation lock: show why, and offer no action that would write.
  const locked = Boolean(overview?.readOnly);
  return (
    <div className="curation-bar">
      {overview?.readOnly && <div className="notice" role="status" data-testid="read-only">Read-only: {overview.readOnly}</div>}
      {overview?.journalWarning && <div className="notice" role="status" data-testid="journal-warning">{overview.journalWarning}</div>}
      <div className="toolbar">
        <button disabled={locked || busy || n < 2} onClick={() => void merge()} data-testid="merge" title={hint('Merge the selected clusters', 'merge')}>Merge</button>
        <button disabled={locked || busy || n === 0} onClick={() => void label('good')} data-testid="label-good" title={hint('Label good', 'good')}>good</button>
        <button disabled={locked || busy || n === 0} onClick={() => void label('mua')} data-testid="label-mua" title={hint('Label mua', 'mua')}>mua</button>
        <button disabled={locked || busy || n === 0} onClick={() => void label('noise')} title={hint('Label noise', 'noise')}>noise</button>
        <button disabled={locked || busy || n === 0} onClick={() => void deleteNoise()} data-testid="delete-noise" title={hint('Delete as noise', 'delete')}>Delete</button>
        <button disabled={locked || busy || !overview?.canUndo} onClick={() => void undo()} data-testid="undo" title={hint('Undo', 'undo')}>↶ Undo</button>
        <button disabled={locked || busy || !overview?.canRedo} onClick={() => void redo()} data-testid="redo" title={hint('Redo', 'redo')}>↷ Redo</button>
        <button disabled={locked || busy} onClick={() => void openVersions()} data-testid="versions">Versions…</button>
        <span className="muted small" data-testid="selection">{n ? `selected: ${selected.map((id) => `#${id}`).join(', ')}` : 'click a row to select, Ctrl+click to add'}</span>
      </div>
      {error && <ErrorBox error={error} testId="curation-error" />}
      {last && !error && <div className="muted small" data-testid="last-action">{last.history === 'do' ? '' : `${last.history}: `}{last.description}</div>}
    </div>
  );
}

export function UnitsTable({ height }: { height: number }) {
  const { overview, selected, select, loading, busy, applyRule } = useSort();
  const [sortKey, setSortKey] = useKept('units.sortKey', 'id');
  const [desc, setDesc] = useKept('units.desc', false);
  const [labelFilter, setLabelFilter] = useState<'all' | Label>('all');
  const [text, setText] = useState('');
  const rows = useMemo(() => {
    if (!overview) return [];
    const col = COLUMNS.find((c) => c.key === sortKey) ?? COLUMNS[0];
    const t = text.trim().toLowerCase();
    const r = overview.clusters.filter((c) => (labelFilter === 'all' || c.label === labelFilter)
      && (!t || c.channelName.toLowerCase().includes(t) || String(c.id) === t));
    const val = (x: ClusterRow): number | string => { const v = col.get(x); return v === null ? -Infinity : v; };
    r.sort((a, b) => { const va = val(a), vb = val(b); const c = va < vb ? -1 : va > vb ? 1 : a.id - b.id; return desc ? -c : c; });
    return r;
  }, [overview, sortKey, desc, labelFilter, text]);
  // The first selected unit stays in view: a merge or split makes new ids, which sort to the end.
  const scroller = useRef<HTMLDivElement>(null);
  const primary = selected[0];
  useEffect(() => {
    if (primary === undefined) return;
    const box = scroller.current, row = box?.querySelector<HTMLElement>(`tr[data-id="${primary}"]`);
    if (!box || !row) return;
    const head = box.querySelector('thead')?.getBoundingClientRect().height ?? 0;
    const top = row.offsetTop - head, bottom = row.offsetTop + row.offsetHeight;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (bottom > box.scrollTop + box.clientHeight) box.scrollTop = bottom - box.clientHeight;
  }, [primary, rows]);
  if (!overview) return <div className="empty">{loading ? 'Loading units…' : 'No sorted units yet: run the spike sorting (Parameters → Spike sorting → Run sorting).'}</div>;
  const toJudge = ruleLabels(overview.clusters);
  const counts = new Map<Label, number>();
  for (const c of overview.clusters) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  return (
    <div className="units">
      <div className="toolbar small">
        <strong>Units</strong>
        <span className="muted" data-testid="units-count">{plural(overview.clusters.length, 'unit')} on {plural(overview.channels.length, 'channel')}</span>
        <select value={labelFilter} onChange={(e) => setLabelFilter(e.target.value as typeof labelFilter)} aria-label="label filter">
          <option value="all">all labels</option>
          {LABELS.map((l) => <option key={l} value={l}>{l} ({counts.get(l) ?? 0})</option>)}
        </select>
        <input value={text} onChange={(e) => setText(e.target.value)} placeholder="filter: channel or id" aria-label="filter units" style={{ width: 130 }} />
        <button disabled={Boolean(overview.readOnly) || busy || toJudge.length === 0} onClick={() => void applyRule()} data-testid="apply-rule"
          title={hint(`Label the ${toJudge.length} unsorted units by the quality rule (${toJudge.filter((x) => x.label === 'good').length} good, ${toJudge.filter((x) => x.label === 'mua').length} mua) in one undoable step: ${describeRule()}. Labels you set are kept`, 'rule')}>
          Apply rule
        </button>
        {overview.journalRecords > 0 && <span className="muted" title={overview.journalPath}>restored {overview.journalRecords} journal records</span>}
      </div>
      <div className="table-scroll" style={{ maxHeight: height }} ref={scroller}>
        <table className="units-table" data-testid="units-table">
          <thead>
            <tr>{COLUMNS.map((c) => (
              <th key={c.key} title={c.title} onClick={() => { if (sortKey === c.key) setDesc(!desc); else { setSortKey(c.key); setDesc(false); } }}
                aria-sort={sortKey === c.key ? (desc ? 'descending' : 'ascending') : 'none'}>
                {c.label}{sortKey === c.key ? (desc ? ' ▾' : ' ▴') : ''}
              </th>))}</tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className={selected.includes(r.id) ? 'sel' : ''} data-testid="unit-row" data-id={r.id} data-label={r.label} data-n={r.nSpikes}
                onClick={(e) => select(r.id, e.ctrlKey || e.metaKey || e.shiftKey)}>
                {COLUMNS.map((c) => {
                  const v = c.get(r);
                  if (c.key === 'id') return <td key={c.key}><span className="swatch" style={{ background: clusterColor(r.id) }} />{r.id}</td>;
                  if (c.key === 'rule') {
                    const v = judgeUnit(r.metrics);
                    return <td key={c.key} title={v.reasons.length ? v.reasons.join('; ') : 'passes every test of the rule'} data-testid="rule-cell"><span className={`rule rule-${v.label}`}>{v.label}</span></td>;
                  }
                  if (c.key === 'label') return <td key={c.key}><span className={`tag tag-${r.label}`}>{r.label}</span></td>;
                  return <td key={c.key} className="num">{v === null ? '—' : typeof v === 'number' && c.fmt ? c.fmt(v) : String(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="empty">No unit matches the filter.</p>}
      </div>
    </div>
  );
}
