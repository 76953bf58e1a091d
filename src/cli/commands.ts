// The CLI commands: info, sort, correct (export: export-command.ts, demo: demo-command.ts). Each returns an exit code and prints either
// human-readable lines or (with --json) one JSON object on stdout.

import * as path from 'node:path';
import { SpikeDeskError } from '../shared/errors';
import { DEFAULT_CORRECT, DEFAULT_SORT, mergeParams, type CorrectParams, type PipelineSpec, type SortParams } from '../shared/params';
import { durationSeconds, type RecordingMeta, type SourceRef } from '../shared/recording';
import { exportCorrectedSource } from '../main/export/corrected-source';
import { loadSortResult } from '../main/pipeline/sort-result';
import { readSession } from '../main/pipeline/session-store';
import { writePhyFolder } from '../main/export/phy';
import { writeSortTables } from '../main/export/phy-tables';
import { withAtomicOutput } from '../main/export/atomic-output';
import { channelList, openOptions, str, UsageError, type ParsedArgs } from './args';
import { checkOutput, describeReport, EXIT, modeFrom, openInput, readParamsFile, reportExit, runSpec, type Io } from './common';

function emit(io: Io, json: unknown, text: string): void {
  if (io.json) io.stdout.write(`${JSON.stringify(json, null, 1)}\n`);
  else io.stdout.write(`${text}\n`);
}

async function openMeta(a: ParsedArgs): Promise<{ ref: SourceRef; meta: RecordingMeta }> {
  const open = openOptions(a);
  const src = await openInput(a.positional[0], open);
  const meta = src.meta;
  src.close();
  return { ref: { path: meta.path, open: Object.keys(open).length ? open : undefined }, meta };
}

export async function infoCommand(a: ParsedArgs, io: Io): Promise<number> {
  const { meta } = await openMeta(a);
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

export async function sortCommand(a: ParsedArgs, io: Io): Promise<number> {
  const params = mergeParams<SortParams>(DEFAULT_SORT, readParamsFile(a));
  const mode = modeFrom(a, (l) => io.stderr.write(`${l}\n`));
  const out = str(a, 'out');
  if (out) checkOutput(out, 'dir', a.flags.has('force'));
  const { ref, meta } = await openMeta(a);
  const spec: PipelineSpec = { workflow: 'sort', params, mode, channels: channelsOpt(a) };
  const { report, engine } = await runSpec(spec, ref, meta, io, !a.flags.has('no-progress'));
  const result: Record<string, unknown> = { report };
  if (report.state !== 'cancelled' && report.state !== 'failed') {
    const sorted = loadSortResult(engine.sessionDir(meta.path), report.runId);
    result.units = sorted.units.length;
    result.spikes = sorted.channels.reduce((s, c) => s + c.samples.length, 0);
    if (out) {
      // Built in a temp folder beside the target and renamed into place (a full disk or a crash
      // leaves no half-written Phy folder); checkOutput above already refused a non-empty target
      // without --force, so replacing here is what the user asked for.
      const target = path.resolve(out);
      const written = await withAtomicOutput(target, 'dir', true, (tmp) => {
        const phy = writePhyFolder(tmp, sorted, ref);
        const tables = writeSortTables(tmp, sorted);
        return { files: [...phy.files, ...tables].map((f) => path.basename(f)), unassignedSpikes: phy.unassigned };
      });
      result.out = { dir: target, ...written };
    }
  }
  emit(io, result, [describeReport(report), result.units !== undefined ? `units: ${result.units}, spikes: ${result.spikes}` : '',
    out && result.out ? `wrote phy folder and spikes.tsv/units.tsv to ${path.resolve(out)}` : ''].filter(Boolean).join('\n'));
  return reportExit(report);
}

export async function correctCommand(a: ParsedArgs, io: Io): Promise<number> {
  const base = mergeParams<CorrectParams>(DEFAULT_CORRECT, readParamsFile(a));
  const tc = str(a, 'trigger-channel'), tr = str(a, 'trigger-regex');
  if (tc && tr) throw new UsageError('give either --trigger-channel or --trigger-regex, not both');
  if (tc) base.triggers = { ...base.triggers, source: 'channel', channel: tc };
  if (tr) base.triggers = { ...base.triggers, source: 'events', regex: tr };
  const out = str(a, 'out');
  if (out && !/\.(edf|vhdr)$/i.test(out)) throw new UsageError(`--out ${out}: use a .edf (EDF+) or .vhdr (BrainVision) file name`);
  if (out) checkOutput(out, 'file', a.flags.has('force'));
  const mode = modeFrom(a, (l) => io.stderr.write(`${l}\n`));
  const { ref, meta } = await openMeta(a);
  const spec: PipelineSpec = { workflow: 'correct', params: base, mode, channels: channelsOpt(a) };
  const { report, engine } = await runSpec(spec, ref, meta, io, !a.flags.has('no-progress'));
  const run = readSession(engine.sessionDir(meta.path))?.runs.find((r) => r.runId === report.runId);
  const trig = run?.summary.triggers as { source: string; reason: string; count: number; added: number; warnings: string[] } | undefined;
  const result: Record<string, unknown> = { report, triggers: trig ?? null };
  if (out && report.state === 'done') {
    const corrected = engine.resultSource(meta.path, 'corrected');
    if (!corrected) throw new SpikeDeskError({ code: 'INTERNAL', message: 'the corrected channels are missing from the cache' });
    // The one corrected-export path (as the app's menu and `spikedesk export`): atomic, with
    // provenance, only the channels the correction produced (failed ones are left out and reported).
    try {
      const written = await exportCorrectedSource(corrected, base, /\.vhdr$/i.test(out) ? 'brainvision' : 'edf', out, { overwrite: a.flags.has('force') });
      result.export = written;
    } finally {
      corrected.close();
    }
    result.out = path.resolve(out);
  }
  emit(io, result, [
    trig ? `triggers: ${trig.count} from ${trig.source} (${trig.reason})${trig.added ? `, ${trig.added} completed by template matching` : ''}` : '',
    ...(trig?.warnings ?? []).map((w) => `warning: ${w}`),
    describeReport(report),
    result.out ? `wrote ${result.out}` : '',
  ].filter(Boolean).join('\n'));
  return reportExit(report);
}
