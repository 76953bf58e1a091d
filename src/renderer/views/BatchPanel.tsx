// Container: the batch tab. Inputs (recording files, folders, manifest .tsv; typed paths in the web
// host, File > Add to Batch in the desktop app), the workflow with the parameters of the Parameters
// panel, execution (mode and jobs of the Run panel, serial / parallel / auto), the output folder,
// then the queue table (state, progress, time, result; cancel or open each) and per-worker bars.
import { useState } from 'react';
import { describeRule } from '../../shared/quality-rule';
import type { BatchRow, BatchStatus } from '../../shared/api';
import { useBatch, type BatchWorkflow, type ParallelChoice } from '../stores/batch';
import { useRun } from '../stores/run';
import { useParams } from '../stores/params';
import { WorkerBars } from '../components/WorkerBars';
import { ErrorBox } from '../components/ErrorBox';

const PARALLEL: [ParallelChoice, string, string][] = [
  ['auto', 'auto', 'inline below the crossover measured on worker start-up and task cost, workers above it'],
  ['serial', 'serial', 'every task in this process, no worker started'],
  ['parallel', 'parallel', 'workers (falls back to serial, with a warning, if a worker fails again on its retry)'],
];

function fmtS(s: number | null): string {
  if (s === null) return '—';
  return s < 90 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

function result(r: BatchRow): string {
  if (r.error && r.state !== 'done') return r.error;
  if (r.units !== null) return `${r.units} units · ${r.spikes ?? 0} spikes${r.cached ? ' · from cache' : ''}`;
  const m = Object.entries(r.metrics).map(([k, v]) => `${k} ${v}`).join(' · ');
  return `${m || '—'}${r.cached ? ' · from cache' : ''}`;
}

function QueueTable({ status }: { status: BatchStatus }) {
  const { cancel, openInWorkbench } = useBatch();
  return (
    <div className="table-scroll batch-queue">
      <table className="units-table" data-testid="batch-table">
        <thead><tr><th>recording</th><th>state</th><th>progress</th><th>time</th><th>result</th><th /></tr></thead>
        <tbody>
          {status.rows.map((r) => {
            const pct = Math.round(r.fraction * 100);
            const live = r.state === 'queued' || r.state === 'running';
            return (
              <tr key={r.name} data-testid="batch-row" data-name={r.name} data-state={r.state}>
                <td title={r.path}>{r.name}</td>
                <td><span className={`batch-state ${r.state}`}>{r.state}</span></td>
                <td>
                  <span className="wb-track batch-progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                    <span className="wb-fill" style={{ width: `${pct}%` }} />
                  </span>
                </td>
                <td className="num">{fmtS(r.wallS)}</td>
                <td className={r.state === 'failed' ? 'batch-error' : 'muted'} title={r.output ?? r.error ?? ''}>{result(r)}</td>
                <td>
                  {live && status.state === 'running' && <button onClick={() => void cancel(r.name)} data-testid="batch-cancel-one">Cancel</button>}
                  {(r.state === 'done' || r.state === 'partial') && <button onClick={() => void openInWorkbench(r)} data-testid="batch-open">Open</button>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function BatchPanel() {
  const b = useBatch();
  const { mode, jobs, setJobs, setMode } = useRun();
  const tfForm = useParams((s) => s.tfForm);
  const preset = useParams((s) => (b.workflow === 'sort' ? s.sortPreset : b.workflow === 'correct' ? s.correctPreset : 'default'));
  const [path, setPath] = useState('');
  const running = b.status?.state === 'running';
  const rawErr = b.rawOptions().error;
  const counts = new Map<string, number>();
  for (const r of b.status?.rows ?? []) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return (
    <div className="batch fill">
      <section className="panel batch-setup" aria-label="Batch settings">
        <h2>Batch</h2>
        <form className="row" onSubmit={(e) => { e.preventDefault(); if (path.trim()) { b.addInputs([path.trim()]); setPath(''); } }}>
          <input className="grow" value={path} onChange={(e) => setPath(e.target.value)} aria-label="batch input path"
            placeholder="a recording, a folder of recordings, a glob (data/*.dat) or a manifest .tsv" data-testid="batch-path" />
          <button type="submit" disabled={!path.trim()} data-testid="batch-add">Add</button>
        </form>
        {b.inputs.length > 0
          ? (
            <ul className="batch-inputs" data-testid="batch-inputs">
              {b.inputs.map((p) => (
                <li key={p} className="mono"><button className="link" onClick={() => b.removeInput(p)} title="remove" aria-label={`remove ${p}`}>✕</button> {p}</li>
              ))}
            </ul>
          )
          : <p className="empty small">No inputs yet. Add files or folders (in the desktop app also File › Add to Batch…).</p>}
        <div className="batch-grid">
          <label className="field"><span>workflow</span>
            <select value={b.workflow} onChange={(e) => b.setWorkflow(e.target.value as BatchWorkflow)} data-testid="batch-workflow">
              <option value="sort">spike sorting</option><option value="correct">artifact correction</option><option value="tf">time–frequency</option>
            </select>
          </label>
          <span className="muted small">parameters: {b.workflow === 'tf' ? `the Time–frequency tab's (${tfForm.lo}–${tfForm.hi} Hz by ${tfForm.step}, ${tfForm.cycles} cycles, ${tfForm.band} band), each recording decimated to 8× the top frequency${b.tfCorrected ? ', after the Parameters panel\'s correction' : ''}` : `the Parameters panel (${preset})`}</span>
          {b.workflow === 'tf' && (
            <label className="small" title="Analyse each recording after MRI gradient-artifact correction with the correction parameters of the Parameters panel (spikedesk batch --workflow tf --corrected)">
              <input type="checkbox" checked={b.tfCorrected} onChange={(e) => b.setTfCorrected(e.target.checked)} data-testid="batch-tf-corrected" /> of the corrected signal
            </label>
          )}
          {b.workflow === 'sort' && (
            <label className="small" title={`Write the quality rule's labels into every recording's folder (cluster_group.tsv, units.tsv): ${describeRule()}`}>
              <input type="checkbox" checked={b.labelRule} onChange={(e) => b.setLabelRule(e.target.checked)} data-testid="batch-label-rule" /> label units by the quality rule
            </label>
          )}
          <label className="field"><span>mode</span>
            <select value={mode} onChange={(e) => setMode(e.target.value as 'fast' | 'low-memory')} data-testid="batch-mode">
              <option value="fast">fast</option><option value="low-memory">low memory</option>
            </select>
          </label>
          <label className="field"><span>jobs</span><input type="number" min={1} max={64} value={jobs} onChange={(e) => setJobs(Number(e.target.value))} data-testid="batch-jobs" /></label>
          <div className="field" role="radiogroup" aria-label="serial or parallel"><span>execution</span>
            <div className="segmented">
              {PARALLEL.map(([v, label, tip]) => (
                <button key={v} type="button" className={b.parallel === v ? 'on' : ''} title={tip} aria-pressed={b.parallel === v}
                  onClick={() => b.setParallel(v)} data-testid={`batch-parallel-${v}`}>{label}</button>
              ))}
            </div>
          </div>
        </div>
        <fieldset>
          <legend>raw binary format (for .dat/.bin inputs without a manifest row; leave empty otherwise)</legend>
          <div className="row">
            <label className="field"><span>channels</span><input type="number" min={1} value={b.raw.channels} onChange={(e) => b.setRaw({ channels: e.target.value })} data-testid="batch-raw-channels" /></label>
            <label className="field"><span>rate</span><input type="number" min={1} value={b.raw.rate} onChange={(e) => b.setRaw({ rate: e.target.value })} data-testid="batch-raw-rate" /><span className="unit">Hz</span></label>
            <label className="field"><span>type</span>
              <select value={b.raw.dtype} onChange={(e) => b.setRaw({ dtype: e.target.value as 'int16' })} data-testid="batch-raw-dtype">
                <option>int16</option><option>uint16</option><option>float32</option>
              </select>
            </label>
            <label className="field"><span>gain</span><input type="number" step="any" value={b.raw.gain} onChange={(e) => b.setRaw({ gain: e.target.value })} data-testid="batch-raw-gain" /><span className="unit">µV/bit</span></label>
          </div>
          {rawErr && <div className="field-msg">{rawErr}</div>}
        </fieldset>
        <div className="row">
          <label className="field wide grow"><span>output</span>
            <input value={b.outDir} onChange={(e) => b.setOutDir(e.target.value)} placeholder="folder for the results, batch.tsv and batch.json" data-testid="batch-out" />
          </label>
          <button className="primary" disabled={running || b.starting || !b.inputs.length || !b.outDir.trim() || !!rawErr} onClick={() => void b.start()} data-testid="batch-start">
            {b.starting ? 'Starting…' : 'Run batch'}
          </button>
          <button disabled={!running} onClick={() => void b.cancel()} data-testid="batch-cancel-all">Cancel all</button>
        </div>
        {b.error && <ErrorBox error={b.error} testId="batch-error" />}
      </section>
      {b.status && (
        <section className="panel batch-status" aria-label="Batch queue">
          <div className="row">
            <strong data-testid="batch-state">{b.status.workflow} batch · {b.status.state}</strong>
            <span className="muted" data-testid="batch-counts">{[...counts].map(([k, v]) => `${v} ${k}`).join(' · ')}</span>
            {b.status.wallS !== null && <span className="muted">· {fmtS(b.status.wallS)}</span>}
            <span className="grow" />
            <span className="muted small mono" title="batch.tsv and batch.json are written here">{b.status.outDir}</span>
          </div>
          {b.status.execution && <div className="muted small" data-testid="batch-execution">{b.status.execution}</div>}
          {b.status.warnings.map((w, i) => <div key={i} className="warn small">{w}</div>)}
          {b.status.error && <ErrorBox error={b.status.error} testId="batch-failed" />}
          <QueueTable status={b.status} />
          <h2>workers</h2>
          <WorkerBars workers={b.status.workers} rssScope={b.status.rssScope} />
        </section>
      )}
    </div>
  );
}
