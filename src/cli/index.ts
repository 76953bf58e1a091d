// The `spikedesk` command line: headless batch runs on the same services as the app
// (io sources, the run engine on a worker pool, exporters). Exit codes: 0 ok, 1 usage,
// 2 bad input file, 3 run failure or partial result, 130 cancelled (Ctrl+C).

import { fileURLToPath } from 'node:url';
import { SpikeDeskError, toErrorInfo } from '../shared/errors';
import { parseArgs, UsageError } from './args';
import { suggest } from '../shared/suggest';
import { currentTrace, exitCodeFor, EXIT, setDemoDir, startTrace, type Io } from './common';
import { writeRunTrace } from '../main/headless';
import { correctCommand, infoCommand, sortCommand } from './commands';
import { exportCommand } from './export-command';
import { demoCommand } from './demo-command';
import { tfCommand } from './tf-command';
import { batchCommand, batchTaskCommand } from './batch-command';
import { relaunch, wantsRelaunch } from './relaunch';

export const USAGE = `Usage: spikedesk <command> FILE [options]

Commands:
  info FILE                 channels, sample rate, duration, events
  sort FILE [--out DIR]     spike sorting; --out writes a phy folder plus spikes.tsv and units.tsv
  correct FILE [--out F]    MRI gradient-artifact correction; --out F.edf (EDF+) or F.vhdr (BrainVision) with
                            the corrected channels (failed ones left out); an existing F is kept unless --force
  export SOURCE --format F --out PATH
                            export from a session folder, a sort --out folder or a recording's session:
                            F = phy|nwb|blech|csv (sorted units) or edf|brainvision (corrected recording);
                            an existing output is kept unless --force
  tf FILE --out DIR         Morlet time-frequency power (as MNE's tfr_array_morlet): DIR/power.npy
                            (channels x freqs x times, float32, unit^2), freqs.npy, times.npy, channels.tsv,
                            band_power.tsv with --band/--roi; --nwb F.nwb: NWB DecompositionSeries;
                            an existing output is kept unless --force
  demo [spikes|eeg]         write the demo recording (once) and print its path
  batch INPUTS --workflow sort|correct|tf --out DIR
                            many recordings: INPUTS = folder, quoted glob or manifest .tsv (columns path,
                            channels, rate, dtype, gain, offset); one folder per recording in DIR plus
                            DIR/batch.tsv and batch.json; a re-run skips finished recordings, retries failed ones

FILE may be 'demo' (the spike demo) or 'demo:eeg' (the EEG-fMRI demo).

Options:
  --params FILE.json|JSON   parameters, deep-merged over the defaults (a file, or '{"cluster":{"kMax":4}}')
  --mode fast|low-memory    fast: whole channels on N workers; low-memory: one channel at a time, streamed
  --jobs N, -j N            workers in fast mode (default: one per core; capped at the cores)
  --force-jobs              use --jobs N even above the number of cores
  --memory MB               memory budget of low-memory mode (default 512)
  --only 0-3,7              process only these channels
  --trigger-channel NAME    correct, tf --corrected: triggers from this stim channel
  --trigger-regex RE        correct, tf --corrected: triggers from event labels matching RE
  --channels N --rate HZ --dtype int16|uint16|float32 --gain UV_PER_BIT --offset BYTES
                            raw binary input (.dat/.bin without a sidecar)
  --input-format ID         skip format detection (raw, openephys, spikeglx, nwb, blech, edf, bdf, brainvision)
  --non-finite zero|error   NaN/Inf samples in float data: read as 0, or fail the channel (default error)
  --force                   replace an existing output (export, tf, sort --out, correct --out)
  --label-rule              sort --out, batch --workflow sort, export (sorted units): label the unsorted
                            units good or mua by the quality rule (Allen Institute unit filter: violation
                            ratio < 0.5, amplitude cutoff < 0.1, presence ratio > 0.9); curated labels are kept
  --freqs 4:40:1|4,5,6      tf: frequencies (start:stop[:step] inclusive, step 1 Hz if left out, or a list; default 4:40:1)
  --n-cycles 7|5,6,7        tf: cycles per wavelet, one value or one per frequency (default 7)
  --decim N|auto            tf: keep every N-th output sample from the first (default 1); auto: per
                            recording, the largest power of two keeping 8x the top frequency
  --band 4-8|theta|NAME=LO-HI
                            tf: band-power series (repeatable; presets delta theta alpha beta gamma)
  --roi NAME=ch1,ch2        tf: region of interest, band power averaged over these channels (repeatable)
  --baseline A:B --baseline-mode mean|ratio|logratio|percent|zscore|zlogratio
                            tf: baseline correction of the band power (MNE's modes; empty side = start/end)
  --events REGEX --epoch TMIN:TMAX
                            tf: event-locked band power, averaged over epochs (baseline relative to the event)
  --strategy auto|channel|frequency|recording
                            tf: how work is split over workers (all give identical results); recording:
                            batch --workflow tf runs each recording on one worker, recordings side by side
  --with-phase, --zero-mean tf: also keep the phase (phase.npy); zero-mean wavelets (MNE's zero_mean)
  --corrected               tf: analyse the channels after MRI gradient-artifact correction (the correct
                            command's defaults, or --params' "correction"; a finished correction with the
                            same parameters comes from the cache)
  --executor local|slurm    batch: run here (recordings spread over --jobs workers) or as Slurm job arrays
                            (shared filesystem: inputs, DIR and spikedesk at the same paths on the nodes)
  --parallel auto|serial|parallel
                            batch: auto = in this process below the measured crossover, workers above
  --partition NAME          batch --executor slurm: the partition
  --split-channels auto|off|N
                            batch --executor slurm: compute a large recording as channel-group array tasks
                            (its own groups, else N channels each; auto: when one task would take > 10 min)
  --demo-dir DIR            where the demo recordings are kept (default ~/.spikedesk/demo)
  --trace FILE              sort, correct, tf: write the run's timeline to FILE (JSON: Chrome trace events, open
                            in ui.perfetto.dev, plus a summary: serial time, worker idle time, CPU per stage
                            and per thread); SPIKEDESK_TRACE=FILE does the same
  --json                    machine-readable output on stdout
  --no-progress             no progress bars
`;

/** Switches that mean something to some commands only: elsewhere they are usage errors, not ignored. */
const FLAG_COMMANDS: Record<string, string[]> = {
  'label-rule': ['sort', 'export', 'batch'],
  'with-phase': ['tf', 'batch', 'batch-task'],
  'zero-mean': ['tf', 'batch', 'batch-task'],
  corrected: ['tf', 'batch', 'batch-task'],
  'trigger-channel': ['correct', 'tf', 'batch', 'batch-task'],
  'trigger-regex': ['correct', 'tf', 'batch', 'batch-task'],
};

const COMMANDS: Record<string, (a: ReturnType<typeof parseArgs>, io: Io) => Promise<number>> = {
  info: infoCommand, sort: sortCommand, correct: correctCommand, export: exportCommand, demo: demoCommand, tf: tfCommand,
  batch: batchCommand, 'batch-task': batchTaskCommand,
};

export async function main(argv: string[], io: Omit<Io, 'json'> = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let json = false;
  try {
    const a = parseArgs(argv);
    json = a.flags.has('json');
    setDemoDir(a.flags.get('demo-dir') as string | undefined);
    if (a.flags.has('help') || a.command === 'help') {
      io.stdout.write(USAGE);
      return EXIT.ok;
    }
    if (!a.command) throw new UsageError('no command given');
    const cmd = COMMANDS[a.command];
    if (!cmd) {
      const near = suggest(a.command, Object.keys(COMMANDS));
      throw new UsageError(`unknown command "${a.command}"${near ? ` (did you mean "${near}"?)` : ''}`);
    }
    for (const [flag, commands] of Object.entries(FLAG_COMMANDS)) {
      if (a.flags.has(flag) && !commands.includes(a.command)) throw new UsageError(`--${flag} applies to ${commands.join(', ')}, not ${a.command}`);
    }
    const traceFile = (a.flags.get('trace') as string | undefined) ?? (process.env.SPIKEDESK_TRACE || undefined);
    if (traceFile) startTrace();
    try {
      return await cmd(a, { ...io, json });
    } finally {
      const t = currentTrace();
      if (t && traceFile) {
        const s = writeRunTrace(t, traceFile);
        if (!json) io.stderr.write(`trace: ${traceFile} (wall ${s.wallS} s, serial ${s.serialS} s, process CPU ${s.process.cpuS} s)\n`);
      }
    }
  } catch (e) {
    const code = exitCodeFor(e);
    if (json) {
      io.stdout.write(`${JSON.stringify({ error: e instanceof UsageError ? { code: 'USAGE', message: e.message } : toErrorInfo(e), exitCode: code })}\n`);
    } else if (e instanceof UsageError) {
      // The whole usage only when no command was named; else the message stays the last thing on
      // the screen, not scrolled away above sixty lines of help.
      io.stderr.write(argv.some((v) => !v.startsWith('-')) ? `spikedesk: ${e.message}\nRun \`spikedesk --help\` for every command and option.\n` : `spikedesk: ${e.message}\n\n${USAGE}`);
    } else {
      const err = e instanceof SpikeDeskError ? e : new SpikeDeskError(toErrorInfo(e));
      io.stderr.write(`spikedesk: ${err.describe()}\n`);
    }
    return code;
  }
}

export { relaunch, wantsRelaunch } from './relaunch';

// Run when executed directly (bin/spikedesk.mjs imports this module and calls main itself).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  void (wantsRelaunch(argv) ? relaunch(process.argv[1], argv) : main(argv)).then((code) => { process.exitCode = code; });
}
