// `spikedesk tf FILE --freqs 4:40:1 --n-cycles 7 [--decim N] [--band 4-8|theta] [--roi NAME=ch1,ch2]
//  [--baseline A:B --baseline-mode logratio] [--events REGEX --epoch TMIN:TMAX] [--strategy ...]
//  [--corrected [--trigger-regex RE]] --out DIR`
// Morlet time-frequency power on the engine, then the npy/TSV folder (src/main/export/tf-folder.ts).

import { DEFAULT_CORRECT, TF_BANDS, autoDecim, type TfParams } from '../shared/params';
import { checkExportTarget, correctionTriggers, runSpecFor, tfSizeNote, userParams, writeTfOutputs } from '../main/headless';
import { channelList, openOptions, str, UsageError, type ParsedArgs } from './args';
import { describeReport, modeFrom, openInput, readParamsFile, reportExit, runSpec, triggerLines, withTriggerFlags, type Io } from './common';

/** "4:8:1" (start:stop:step, inclusive), "4:8" (step 1 Hz) or "4,5,6.5". */
export function parseFreqs(v: string): number[] {
  const range = /^\s*([\d.]+)\s*:\s*([\d.]+)\s*(?::\s*([\d.]+)\s*)?$/.exec(v);
  if (range) {
    const [a, b, s] = [Number(range[1]), Number(range[2]), range[3] === undefined ? 1 : Number(range[3])];
    if (!(a > 0 && b >= a && s > 0)) throw new UsageError(`--freqs ${v}: expected start:stop[:step] with 0 < start <= stop and step > 0`);
    const n = Math.floor((b - a) / s + 1e-9) + 1;
    if (n > 1000) throw new UsageError(`--freqs ${v}: ${n} frequencies, at most 1000`);
    // Rounded to 1e-9 Hz so 4:8:0.1 gives 4.1, not 4.1000000000000005.
    return Array.from({ length: n }, (_, i) => Math.round((a + i * s) * 1e9) / 1e9);
  }
  const list = v.split(',').map((x) => Number(x.trim()));
  if (!list.length || list.some((f) => !(f > 0))) throw new UsageError(`--freqs ${v}: expected start:stop[:step] or a comma list of positive frequencies`);
  return list;
}

function parseBand(v: string): TfParams['bands'][number] {
  const preset = TF_BANDS[v.toLowerCase() as keyof typeof TF_BANDS];
  if (preset) return { name: v.toLowerCase(), lo: preset[0], hi: preset[1] };
  const m = /^\s*(?:([A-Za-z][\w-]*)=)?([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(v);
  if (!m) throw new UsageError(`--band ${v}: expected LO-HI in Hz (e.g. 4-8), NAME=LO-HI, or a preset (${Object.keys(TF_BANDS).join(', ')})`);
  const lo = Number(m[2]), hi = Number(m[3]);
  return { name: m[1] ?? `${m[2]}-${m[3]}Hz`, lo, hi };
}

function parseRoi(v: string): TfParams['rois'][number] {
  const m = /^\s*([^=]+?)\s*=\s*(.+)$/.exec(v);
  if (!m) throw new UsageError(`--roi ${v}: expected NAME=ch1,ch2,... (channel names)`);
  const channels = m[2].split(',').map((c) => c.trim()).filter(Boolean);
  if (!channels.length) throw new UsageError(`--roi ${v}: name at least one channel`);
  return { name: m[1], channels };
}

/** "A:B" seconds; an empty side is the start / the end (as MNE's None). */
function parseInterval(flag: string, v: string): [number | null, number | null] {
  const m = /^\s*(-?[\d.]*)\s*:\s*(-?[\d.]*)\s*$/.exec(v);
  if (!m) throw new UsageError(`--${flag} ${v}: expected A:B in seconds (either side may be empty)`);
  return [m[1] === '' ? null : Number(m[1]), m[2] === '' ? null : Number(m[2])];
}

/** Values of a flag that may be repeated (args.ts joins repeats with a newline). */
function all(a: ParsedArgs, name: string): string[] {
  const v = str(a, name);
  return v === undefined ? [] : v.split('\n');
}

/** The --params file over the defaults (checked field by field), then the tf flags over that. */
export function tfParamsFrom(a: ParsedArgs): TfParams {
  const p: TfParams = userParams('tf', readParamsFile(a));
  const freqs = str(a, 'freqs');
  if (freqs) p.freqs = parseFreqs(freqs);
  const nc = str(a, 'n-cycles');
  if (nc) {
    p.nCycles = nc.split(',').map((x) => Number(x.trim()));
    if (p.nCycles.some((x) => !(x > 0))) throw new UsageError(`--n-cycles ${nc}: expected a positive number or a comma list, one per frequency`);
  }
  const decim = str(a, 'decim');
  if (decim && decim !== 'auto') {
    p.decim = Number(decim);
    if (!Number.isInteger(p.decim) || p.decim < 1) throw new UsageError(`--decim ${decim}: expected a whole number >= 1, or auto`);
  }
  if (a.flags.has('zero-mean')) p.zeroMean = true;
  if (a.flags.has('with-phase')) p.phase = true;
  const strategy = str(a, 'strategy');
  if (strategy) {
    if (!['auto', 'channel', 'frequency', 'recording'].includes(strategy)) throw new UsageError(`--strategy ${strategy}: use auto, channel, frequency or recording`);
    p.strategy = strategy as TfParams['strategy'];
  }
  if (str(a, 'band') !== undefined) p.bands = all(a, 'band').map(parseBand);
  if (str(a, 'roi') !== undefined) p.rois = all(a, 'roi').map(parseRoi);
  if (p.rois.length && !p.bands.length) p.bands = [{ name: 'theta', lo: TF_BANDS.theta[0], hi: TF_BANDS.theta[1] }];
  const bl = str(a, 'baseline');
  const mode = str(a, 'baseline-mode');
  if (bl) {
    const [start, end] = parseInterval('baseline', bl);
    p.baseline = { mode: (mode ?? 'logratio') as TfParams['baseline']['mode'], start, end };
  } else if (mode) throw new UsageError('--baseline-mode needs --baseline A:B');
  const ev = str(a, 'events');
  if (ev) {
    const [tmin, tmax] = parseInterval('epoch', str(a, 'epoch') ?? '-0.5:1.5');
    if (tmin === null || tmax === null) throw new UsageError('--epoch needs both ends, e.g. -0.5:1.5');
    p.epochs = { regex: ev, tmin, tmax };
  }
  if ((bl || ev) && !p.bands.length) p.bands = [{ name: 'theta', lo: TF_BANDS.theta[0], hi: TF_BANDS.theta[1] }];
  // --corrected: the channels after gradient-artifact correction (defaults, or --params' correction).
  if (a.flags.has('corrected')) p.correction = withTriggerFlags(a, p.correction ?? structuredClone(DEFAULT_CORRECT));
  else if (p.correction) p.correction = withTriggerFlags(a, p.correction);
  else if (str(a, 'trigger-channel') || str(a, 'trigger-regex')) throw new UsageError('--trigger-channel / --trigger-regex choose the triggers of a correction: with tf, add --corrected');
  return p;
}

/** `--decim auto`: the decim is chosen per recording (autoDecim, the Time-frequency tab's rule). */
export function decimAuto(a: ParsedArgs): boolean { return str(a, 'decim') === 'auto'; }

export async function tfCommand(a: ParsedArgs, io: Io): Promise<number> {
  const params = tfParamsFrom(a);
  const out = str(a, 'out');
  const force = a.flags.has('force');
  // Refuse an existing output before any work (checked again when the folder is renamed into place).
  if (out) checkExportTarget(out, force, 'dir');
  const nwb = str(a, 'nwb');
  if (nwb) checkExportTarget(nwb, force, 'file');
  const rec = await openInput(a.positional[0], openOptions(a), (l) => io.stderr.write(`${l}\n`));
  if (decimAuto(a)) params.decim = autoDecim(rec.meta.sampleRate, Math.max(...params.freqs));
  const only = str(a, 'only');
  const spec = runSpecFor('tf', params, modeFrom(a), rec.meta, only === undefined ? undefined : channelList(only));
  const note = tfSizeNote(spec, rec.meta);
  if (note && !io.json) io.stderr.write(`${note}\n`);
  const { report, sessionDir } = await runSpec(spec, rec, io, !a.flags.has('no-progress'));
  // On the corrected signal: which triggers the correction used, as `spikedesk correct` says.
  const trig = params.correction ? correctionTriggers(sessionDir, report.runId) : null;
  const result: Record<string, unknown> = { report, ...(params.correction ? { triggers: trig } : {}) };
  if (report.state === 'done' && (out || nwb)) Object.assign(result, await writeTfOutputs(sessionDir, rec.meta.path, out, nwb, force));
  const o = result.out as { dir: string; files: string[]; shape: number[] } | undefined;
  if (io.json) io.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
  else io.stdout.write(`${[...triggerLines(trig), describeReport(report), o ? `wrote ${o.files.join(', ')} to ${o.dir} (power ${o.shape.join(' x ')})` : '', result.nwb ? `wrote ${String(result.nwb)}` : ''].filter(Boolean).join('\n')}\n`);
  return reportExit(report);
}
