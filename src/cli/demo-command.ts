// `spikedesk demo [spikes|eeg]`: writes the demo recording once (deterministic, from a fixed
// seed) and prints its path, so a new user can follow the README without their own data.
import { demoRecording } from '../main/headless';
import { UsageError, type ParsedArgs } from './args';
import { currentDemoDir, EXIT, type Io } from './common';

export async function demoCommand(a: ParsedArgs, io: Io): Promise<number> {
  const kind = a.positional[0] ?? 'spikes';
  if (kind !== 'spikes' && kind !== 'eeg') throw new UsageError(`demo ${kind}: use spikes or eeg`);
  let shown = -1;
  const file = await demoRecording(kind, currentDemoDir(), (f) => {
    const pct = Math.floor(f * 20) * 5;
    if (!io.json && pct !== shown && io.stderr.isTTY) { shown = pct; io.stderr.write(`\rgenerating the ${kind} demo: ${pct}%`); }
  });
  if (shown >= 0) io.stderr.write('\n');
  if (io.json) io.stdout.write(`${JSON.stringify({ kind, path: file })}\n`);
  else io.stdout.write(`${file}\n`);
  return EXIT.ok;
}
