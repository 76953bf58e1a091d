// Container: method parameters of both workflows with presets and inline validation (the same
// validators main applies). A re-run with changed parameters reuses every cached stage upstream.
import type { CorrectParams, SortParams } from '../../shared/params';
import { CORRECT_PRESETS, SORT_PRESETS, paramsError, parseChannels, useParams } from '../stores/params';
import { useRecording } from '../stores/recording';
import { NumField } from '../components/NumField';

function SortForm({ p, set }: { p: SortParams; set: (p: SortParams) => void }) {
  const up = <K extends keyof SortParams>(k: K, patch: Partial<SortParams[K]>): void => set({ ...p, [k]: { ...p[k], ...patch } });
  return (
    <>
      <fieldset><legend>Filter</legend>
        <NumField label="high-pass" unit="Hz" value={p.filter.lowHz} min={0} onChange={(v) => up('filter', { lowHz: v })} />
        <NumField label="low-pass" unit="Hz" value={p.filter.highHz} min={0} onChange={(v) => up('filter', { highHz: v })} />
        <NumField label="order" value={p.filter.order} min={1} max={10} integer onChange={(v) => up('filter', { order: v })} />
        <label className="field"><span>reference</span>
          <select value={p.filter.reference} onChange={(e) => up('filter', { reference: e.target.value as SortParams['filter']['reference'] })} aria-label="reference">
            <option value="none">none</option><option value="car">CAR (mean)</option><option value="cmr">CMR (median)</option>
          </select></label>
      </fieldset>
      <fieldset><legend>Detection</legend>
        <NumField label="threshold" unit="σ" value={p.detect.threshold} min={0.5} max={99} onChange={(v) => up('detect', { threshold: v })} title="k × median(|x|)/0.6745" />
        <label className="field"><span>polarity</span>
          <select value={p.detect.polarity} onChange={(e) => up('detect', { polarity: e.target.value as SortParams['detect']['polarity'] })} aria-label="polarity">
            <option value="neg">negative</option><option value="pos">positive</option><option value="both">both</option>
          </select></label>
        <NumField label="dead time" unit="ms" value={p.detect.deadTimeMs} min={0} onChange={(v) => up('detect', { deadTimeMs: v })} />
        <NumField label="align ×" value={p.detect.alignUpsample} min={1} max={20} integer onChange={(v) => up('detect', { alignUpsample: v })} title="upsampling for alignment (1 = off)" />
      </fieldset>
      <fieldset><legend>Features &amp; clustering</legend>
        <NumField label="PCs" value={p.features.nPcs} min={1} max={10} integer onChange={(v) => up('features', { nPcs: v })} />
        <NumField label="k min" value={p.cluster.kMin} min={1} max={20} integer onChange={(v) => up('cluster', { kMin: v })} />
        <NumField label="k max" value={p.cluster.kMax} min={1} max={20} integer onChange={(v) => up('cluster', { kMax: v })} />
        <NumField label="restarts" value={p.cluster.restarts} min={1} integer onChange={(v) => up('cluster', { restarts: v })} />
        <NumField label="seed" value={p.cluster.seed} integer onChange={(v) => up('cluster', { seed: v })} />
      </fieldset>
    </>
  );
}

function CorrectForm({ p, set }: { p: CorrectParams; set: (p: CorrectParams) => void }) {
  const up = (patch: Partial<CorrectParams>): void => set({ ...p, ...patch });
  const trig = (patch: Partial<CorrectParams['triggers']>): void => set({ ...p, triggers: { ...p.triggers, ...patch } });
  return (
    <>
      <fieldset><legend>Triggers</legend>
        <label className="field"><span>source</span>
          <select value={p.triggers.source} onChange={(e) => trig({ source: e.target.value as CorrectParams['triggers']['source'] })} aria-label="trigger source">
            <option value="auto">auto</option><option value="events">event markers</option><option value="channel">stim channel</option>
          </select></label>
        {p.triggers.source === 'events' && <label className="field"><span>pattern</span><input value={p.triggers.regex} onChange={(e) => trig({ regex: e.target.value })} placeholder="e.g. R128" aria-label="trigger pattern" /></label>}
        {p.triggers.source === 'channel' && <label className="field"><span>channel</span><input value={p.triggers.channel} onChange={(e) => trig({ channel: e.target.value })} placeholder="STI 014" aria-label="trigger channel" /></label>}
        <label className="field"><span>kind</span>
          <select value={p.triggers.kind} onChange={(e) => trig({ kind: e.target.value as 'slice' | 'volume' })} aria-label="trigger kind">
            <option value="slice">slice</option><option value="volume">volume</option>
          </select></label>
      </fieldset>
      <fieldset><legend>Template</legend>
        <label className="field"><span>engine</span>
          <select value={p.engine} onChange={(e) => up({ engine: e.target.value as 'spline' | 'upsampled', window: e.target.value === 'upsampled' && p.window === 0 ? 30 : p.window })} aria-label="AAS engine">
            <option value="spline">continuous-time spline</option><option value="upsampled">upsampled (FASTR)</option>
          </select></label>
        <NumField label="upsample" unit="×" value={p.upsample} min={1} max={64} integer onChange={(v) => up({ upsample: v })} />
        <NumField label="window (0 = from data)" unit="epochs" value={p.window} min={0} max={p.engine === 'upsampled' ? 500 : 100000} integer onChange={(v) => up({ window: v })} />
        <label className="field"><span>align</span><input type="checkbox" checked={p.align} onChange={(e) => up({ align: e.target.checked })} aria-label="align" /></label>
        <label className="field"><span>cross-channel rank</span>
          <select value={p.crossChannel} onChange={(e) => up({ crossChannel: e.target.value as 'auto' | 'off' })} aria-label="cross-channel low rank">
            <option value="auto">when held-out error says so</option><option value="off">off</option>
          </select></label>
      </fieldset>
      <fieldset><legend>Residuals</legend>
        <NumField label="OBS PCs" value={p.obsComponents} min={0} max={20} integer onChange={(v) => up({ obsComponents: v })} />
        <NumField label="low-pass" unit="Hz" value={p.lowpassHz} min={0} onChange={(v) => up({ lowpassHz: v })} />
        <label className="field"><span>ANC</span><input type="checkbox" checked={p.anc} onChange={(e) => up({ anc: e.target.checked })} aria-label="ANC" /></label>
      </fieldset>
    </>
  );
}

export function ParamsPanel() {
  const s = useParams();
  const meta = useRecording((r) => r.meta);
  const presets = s.workflow === 'sort' ? SORT_PRESETS : CORRECT_PRESETS;
  const preset = s.workflow === 'sort' ? s.sortPreset : s.correctPreset;
  const err = meta ? paramsError(s.workflow, s.workflow === 'sort' ? s.sort : s.correct, meta.sampleRate) : null;
  const ch = meta ? parseChannels(s.channels, meta.channels.length) : {};
  return (
    <section className="panel side-panel params" aria-label="Parameters">
      <h2>Parameters</h2>
      <div className="segmented" role="tablist">
        <button role="tab" aria-selected={s.workflow === 'sort'} className={s.workflow === 'sort' ? 'on' : ''} onClick={() => s.setWorkflow('sort')} data-testid="wf-sort">Spike sorting</button>
        <button role="tab" aria-selected={s.workflow === 'correct'} className={s.workflow === 'correct' ? 'on' : ''} onClick={() => s.setWorkflow('correct')} data-testid="wf-correct">Artifact correction</button>
      </div>
      <label className="field wide"><span>preset</span>
        <select value={preset} onChange={(e) => s.applyPreset(s.workflow, e.target.value)} aria-label="preset">
          {!presets[preset] && <option value={preset}>{preset}</option>}
          {Object.entries(presets).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
        </select></label>
      <label className={`field wide${ch.error ? ' invalid' : ''}`}><span>channels</span>
        <input value={s.channels} onChange={(e) => s.setChannels(e.target.value)} aria-label="channels" data-testid="channels" placeholder="all, or e.g. 0-7" />
        {ch.error && <em className="field-msg">{ch.error}</em>}
      </label>
      <div className="form-scroll">
        {s.workflow === 'sort' ? <SortForm p={s.sort} set={s.setSort} /> : <CorrectForm p={s.correct} set={s.setCorrect} />}
      </div>
      {err && <div className="error-inline" role="alert" data-testid="params-error">{err.message}{err.fix ? <div className="fix">Fix: {err.fix}</div> : null}</div>}
    </section>
  );
}
