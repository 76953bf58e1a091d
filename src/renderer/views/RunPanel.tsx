// Container: job settings (low-memory / fast with the estimate of each, jobs), run and cancel,
// one progress bar per worker (channel, stage, memory), and the last run's report.
import { useEffect, useMemo, useState } from 'react';
import { backend } from '../api/client';
import { DEFAULT_FILTER, type PipelineSpec } from '../../shared/params';
import { useRun, type StartEstimate } from '../stores/run';
import { useRecording } from '../stores/recording';
import { useRunRequest, useUi } from '../stores/ui';
import { hint } from '../lib/shortcuts';
import { paramsError, parseChannels, useParams, useTfParams } from '../stores/params';
import { peakSaid, runPeakMB, type ChannelFailure, type RunReport } from '../../shared/progress';
import { WorkerBars } from '../components/WorkerBars';
import { ErrorBox } from '../components/ErrorBox';

function fmtS(s: number): string {
  return s < 10 ? `${s.toFixed(1)} s` : s < 90 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`;
}

export function RunPanel() {
  const { progress, report, error, mode, jobs, estimate, estimateWorkflow, estimateError, setMode, setJobs, start, request, cancel, refreshEstimate, startEstimate, finished } = useRun();
  // A finished run changes the estimate: its time calibrates this machine, its stages are cached now.
  const runsFinished = finished.sort + finished.correct + finished.filter + finished.tf;
  const [cores, setCores] = useState<number | null>(null);
  useEffect(() => { backend().then(({ api }) => api.info()).then((i) => setCores(i.cores), () => undefined); }, []);
  const meta = useRecording((s) => s.meta);
  // Another recording: the last one's estimate says nothing about it ("estimating…" until the new one is in).
  useEffect(() => { useRun.setState({ estimate: null, estimateError: null }); }, [meta]);
  const p = useParams();
  // On the time-frequency tab the spectrogram runs from that tab's form; mode and jobs here still apply to it.
  const tfTab = useUi((s) => s.tab === 'tf');
  const tf = useTfParams().params;
  const running = progress?.state === 'running';
  /** The run's overall percent (stage-weighted work, as the ETA), while it runs. */
  const percent = running ? Math.floor(progress.fraction * 100) : undefined;
  const ch = meta ? parseChannels(p.channels, meta.channels.length) : {};
  // The estimate is for what the run button of the shown tab starts: the Time–frequency tab's form there.
  const spec = useMemo((): Omit<PipelineSpec, 'mode'> | null => {
    if (tfTab) return tf ? { workflow: 'tf', params: tf } : null;
    if (!meta || ch.error) return null;
    return p.workflow === 'sort'
      ? { workflow: 'sort', params: p.sort, channels: ch.channels }
      : { workflow: 'correct', params: p.correct, channels: ch.channels };
  }, [tfTab, tf, meta, p.workflow, p.sort, p.correct, ch.error, ch.channels?.join(',')]);
  const invalid = meta && !tfTab ? paramsError(p.workflow, p.workflow === 'sort' ? p.sort : p.correct, meta.sampleRate) : null;
  // The run shortcut (Ctrl+Enter): this panel's run, unless the time–frequency tab (its own form) is shown.
  useRunRequest(() => { if (!tfTab && spec && !invalid && !running) void request(spec); });
  useEffect(() => {
    if (!spec || invalid) return;
    const t = setTimeout(() => void refreshEstimate(spec), 150);
    return () => clearTimeout(t);
  }, [spec, mode, jobs, invalid?.message, runsFinished]);
  // The time left: the full run's time scaled by the share of the work not in the cache yet.
  const shown = estimate && estimateWorkflow === (tfTab ? 'tf' : p.workflow) ? estimate : null;
  const share = shown?.cached?.share ?? 0;
  const est = (k: 'fast' | 'lowMemory') => !shown ? '…'
    : share >= 1 ? `~${shown[k].peakMB.toFixed(0)} MB · cached` : `~${shown[k].peakMB.toFixed(0)} MB · ~${fmtS(shown[k].seconds * (1 - share))}`;
  const modelOnly = shown && shown.measured && !shown.measured[mode === 'fast' ? 'fast' : 'lowMemory'] && share < 1;
  return (
    <section className="panel side-panel" aria-label="Run">
      <h2>Run</h2>
      <div className="modes" role="radiogroup" aria-label="execution mode">
        <label className={mode === 'low-memory' ? 'on' : ''}><input type="radio" name="mode" checked={mode === 'low-memory'} onChange={() => setMode('low-memory')} /> low memory <span className="est" data-testid="est-low">{est('lowMemory')}</span></label>
        <label className={mode === 'fast' ? 'on' : ''}><input type="radio" name="mode" checked={mode === 'fast'} onChange={() => setMode('fast')} /> fast <span className="est" data-testid="est-fast">{est('fast')}</span></label>
      </div>
      {tfTab && <div className="muted small" data-testid="run-tf-note">The mode, jobs and estimates are for the spectrogram; run it from the form of the Time–frequency tab.</div>}
      {estimateError && <div className="muted small">estimate: {estimateError}</div>}
      {/* Fully cached: the rows say "cached" (a note here would push the run report off the screen). */}
      {shown && share > 0 && share < 1 && (
        <div className="muted small" data-testid="est-cached">
          {`${Math.round(share * 100)} % of the work is in the cache${shown.cached?.stages.length ? ` (${shown.cached.stages.join(', ')})` : ''}; the times above are for the rest`}
        </div>
      )}
      {!tfTab && !shown && !estimateError && meta && <div className="muted small" data-testid="est-measuring">estimating (the first time, a short measurement of this machine)…</div>}
      {modelOnly && (
        <div className="muted small" data-testid="est-model">
          time from the benchmark machine's model, not yet measured on this one: it can be several times off (the first run measures it)
        </div>
      )}
      {cores !== null && jobs > cores && mode === 'fast' && (
        <div className="warn small" data-testid="jobs-warning">{jobs} jobs on {cores} cores: workers beyond the cores only slow the run down (the estimate counts {cores}).</div>
      )}
      <div className="row">
        <label className="field compact"><span>jobs</span><input type="number" min={1} max={64} value={jobs} onChange={(e) => setJobs(Number(e.target.value))} aria-label="jobs" style={{ width: 48 }} /></label>
        {!tfTab && (
          <button className="primary" disabled={!spec || !!invalid || running} onClick={() => spec && void request(spec)} data-testid="run-start" title={hint('Run with these parameters', 'run')}>
            {p.workflow === 'sort' ? 'Run sorting' : 'Run correction'}
          </button>
        )}
        <button disabled={!running} onClick={() => void cancel()} data-testid="run-cancel">Cancel</button>
      </div>
      <div className="row">
        <button className="link" disabled={!meta || running} onClick={() => void start({ workflow: 'filter', params: DEFAULT_FILTER, channels: ch.channels })} data-testid="run-filter"
          title="Band-pass filter the channels (for the filtered trace view); unchanged stages of any run come from the cache">Filter all channels</button>
      </div>
      {progress && (
        <div className="muted" data-testid="run-status" data-percent={percent}>
          {progress.state}{percent !== undefined ? ` · ${percent} %` : ''} · {progress.channelsDone}/{progress.channelsTotal} channels{progress.channelsFailed ? ` · ${progress.channelsFailed} failed` : ''}
          {Number.isFinite(progress.etaS) && progress.state === 'running' ? ` · ETA ${progress.etaS.toFixed(1)} s` : ''}
        </div>
      )}
      <WorkerBars workers={progress?.workers ?? []} rssScope={progress?.rssScope} />
      {error && <ErrorBox error={error} testId="run-error" />}
      {report && (
        <div className="report" data-testid="run-report">
          <div><strong>Last run:</strong> {report.workflow} · {report.state} · {report.wallS.toFixed(2)} s · {report.mode} × {report.jobs}</div>
          <div className="muted">{peakSaid(report)} · ran: {report.stagesRun.join(', ') || '—'} · cached: {report.stagesCached.join(', ') || '—'}</div>
          {startEstimate && report.state === 'done' && <EstimateVsActual est={startEstimate} report={report} />}
          {report.failed.length > 0 && <FailedChannels failed={report.failed} />}
        </div>
      )}
    </section>
  );
}

/**
 * The run's time against the estimate it started with: the stages the cache did not hold (as the
 * panel showed them), and whether that estimate was this machine's or the benchmark model's.
 */
function EstimateVsActual({ est, report }: { est: StartEstimate; report: RunReport }) {
  const rest = est.share > 0 && est.share < 1;
  const expected = est.seconds * (rest ? 1 - est.share : 1);
  return (
    <div className="muted" data-testid="est-vs-actual">
      estimated ~{fmtS(expected)}{rest ? ' for the stages not in the cache' : ''} · ~{est.peakMB.toFixed(0)} MB; took {fmtS(report.wallS)}
      {` (×${(report.wallS / Math.max(0.1, expected)).toFixed(1)} of the estimated time)`} · {runPeakMB(report).toFixed(0)} MB
      {!est.measured && (
        <span data-testid="est-was-model">
          {' '}· that estimate was the benchmark model&apos;s (this machine was not measured yet){report.stagesCached.length === 0 ? '; this run measured it' : ''}
        </span>
      )}
    </div>
  );
}

/**
 * The failed channels with their reasons and fixes. A channel that failed on a NaN/Inf sample can be
 * read again with such samples as 0: the recording is reopened so, and the next run uses it (the
 * channels already done are cached apart, under the other setting, and computed again).
 */
function FailedChannels({ failed }: { failed: ChannelFailure[] }) {
  const reopen = useRecording((s) => s.reopenNonFiniteAsZero);
  const zeroed = useRecording((s) => s.meta?.nonFinite === 'zero');
  const [asked, setAsked] = useState(false);
  const nonFinite = failed.some((f) => f.code === 'NON_FINITE');
  return (
    <div className="error-inline" data-testid="failed-channels">
      failed channels: {failed.map((f) => `${f.channel} (${f.reason}${f.fix ? `; fix: ${f.fix}` : ''})`).join('; ')}
      {nonFinite && !zeroed && (
        <div className="row">
          <button disabled={asked} onClick={() => { setAsked(true); void reopen().finally(() => setAsked(false)); }} data-testid="read-nonfinite-zero"
            title="Reopen the recording reading NaN/Inf samples as 0, then run again">Read NaN/Inf as 0</button>
        </div>
      )}
      {nonFinite && zeroed && <div className="muted small" data-testid="nonfinite-zeroed">reopened: NaN/Inf samples are read as 0; run again</div>}
    </div>
  );
}
