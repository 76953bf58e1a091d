// The CLI commands: info, sort, correct (export: export-command.ts, demo: demo-command.ts). Each returns an exit code and prints either
// human-readable lines or (with --json) one JSON object on stdout.

import * as path from 'node:path';
import { durationSeconds } from '../shared/recording';
import { correctionTriggers, exportCorrectedOf, runSpecFor, sortCounts, userParams, writeSortOutput, checkOutput } from '../main/headless';
import { channelList, openOptions, str, UsageError, type ParsedArgs } from './args';
import { describeReport, EXIT, modeFrom, openInput, readParamsFile, reportExit, runSpec, traced, triggerLines, withTriggerFlags, type Io } from './common';

function emit(io: Io, json: unknown, text: string): void {
  if (io.json) io.stdout.write(`${JSON.stringify(json, null, 1)}\n`);
  else io.stdout.write(`${text}\n`);
}

export async function infoCommand(a: ParsedArgs, io: Io): Promise<number> {
  const { meta } = await openInput(a.positional[0], openOptions(a));
  const dur = durationSeconds(meta);
  const stim = meta.channels.filter((c) => c.kind === 'stim').length;
  emit(io, { path: meta.path, format: meta.format, channels: meta.channels, sampleRate: meta.sampleRate, nSamples: meta.nSamples, durationS: dur, events: meta.events.length, notes: meta.notes ?? [] }, [
    `file:        ${meta.path}`,
    `format:      ${meta.format}`,
    `channels:    ${meta.channels.length}${stim ? ` (${stim} stim)` : ''}: ${meta.channels.slice(0, 8).map((c) => c.name).join(', ')}${meta.channels.length > 8 ? ', ...' : ''}`,
    `sample rate: ${meta.sampleRate} Hz`,
    `duration:    ${dur.toFixed(3)} s (${meta.nSamples} samples)`,
    `events:      ${meta.events.length}`,
    ...(meta.notes ?? []).map((n) => `note:        ${n}`),
  ].join('\n'));
  return EXIT.ok;
}

function channelsOpt(a: ParsedArgs): number[] | undefined {
  const only = str(a, 'only');
  return only === undefined ? undefined : channelList(only);
}

function labelledLine(n: { good: number; mua: number } | undefined): string[] {
  return n ? [`labelled by the quality rule: ${n.good} good, ${n.mua} mua`] : [];
}

export async function sortCommand(a: ParsedArgs, io: Io): Promise<number> {
  const params = userParams('sort', readParamsFile(a));
  const mode = modeFrom(a, (l) => io.stderr.write(`${l}\n`));
  const out = str(a, 'out');
  if (a.flags.has('label-rule') && !out) throw new UsageError('--label-rule labels the units written to --out DIR: give --out');
  if (out) checkOutput(out, 'dir', a.flags.has('force'));
  const rec = await openInput(a.positional[0], openOptions(a), (l) => io.stderr.write(`${l}\n`));
  const spec = runSpecFor('sort', params, mode, rec.meta, channelsOpt(a));
  const { report, sessionDir } = await runSpec(spec, rec, io, !a.flags.has('no-progress'));
  const result: Record<string, unknown> = { report };
  if (report.state !== 'cancelled' && report.state !== 'failed') {
    Object.assign(result, await traced('results', () => sortCounts(sessionDir, report.runId)));
    // checkOutput above already refused a non-empty target without --force, so replacing is what the user asked for.
    if (out) result.out = await traced('export', () => writeSortOutput(out, sessionDir, report.runId, rec.ref, true, a.flags.has('label-rule')));
  }
  emit(io, result, [describeReport(report), result.units !== undefined ? `units: ${result.units}, spikes in units: ${result.spikes}, unassigned detections: ${result.unassigned}` : '',
    out && result.out ? `wrote phy folder and spikes.tsv/units.tsv to ${path.resolve(out)}` : '',
    ...labelledLine((result.out as { labelled?: { good: number; mua: number } } | undefined)?.labelled),
  ].filter(Boolean).join('\n'));
  return reportExit(report);
}

export async function correctCommand(a: ParsedArgs, io: Io): Promise<number> {
  const base = withTriggerFlags(a, userParams('correct', readParamsFile(a)));
  const out = str(a, 'out');
  if (out && !/\.(edf|vhdr)$/i.test(out)) throw new UsageError(`--out ${out}: use a .edf (EDF+) or .vhdr (BrainVision) file name`);
  if (out) checkOutput(out, 'file', a.flags.has('force'));
  const mode = modeFrom(a, (l) => io.stderr.write(`${l}\n`));
  const rec = await openInput(a.positional[0], openOptions(a), (l) => io.stderr.write(`${l}\n`));
  const spec = runSpecFor('correct', base, mode, rec.meta, channelsOpt(a));
  const { report, sessionDir } = await runSpec(spec, rec, io, !a.flags.has('no-progress'));
  const trig = correctionTriggers(sessionDir, report.runId);
  const result: Record<string, unknown> = { report, triggers: trig };
  if (out && report.state === 'done') {
    // The one corrected-export path (as the app's menu and `spikedesk export`): atomic, with
    // provenance, only the channels the correction produced (failed ones are left out and reported).
    result.export = await exportCorrectedOf(sessionDir, /\.vhdr$/i.test(out) ? 'brainvision' : 'edf', out, a.flags.has('force'));
    result.out = path.resolve(out);
  }
  emit(io, result, [
    ...triggerLines(trig),
    describeReport(report),
    result.out ? `wrote ${result.out}` : '',
  ].filter(Boolean).join('\n'));
  return reportExit(report);
}
