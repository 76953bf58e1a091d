// Command-line parsing without dependencies: `spikedesk <command> [FILE] [--flag value]...`.
// Unknown flags and malformed values are usage errors (exit code 1) with a hint.

import type { OpenOptions } from '../shared/recording';
import { suggest } from '../shared/suggest';
import { LIMITS } from '../shared/params';

export class UsageError extends Error {}

export interface ParsedArgs {
  command: string;
  positional: string[];
  flags: Map<string, string | true>;
}

/** Flags that take a value; everything else listed in BOOLEAN is a switch. */
const VALUED = new Set(['params', 'mode', 'jobs', 'out', 'channels', 'rate', 'dtype', 'gain', 'offset', 'format',
  'memory', 'input-format', 'trigger-channel', 'trigger-regex', 'only', 'demo-dir',
  'workflow', 'executor', 'parallel', 'partition', 'plan', 'phase', 'index', 'split-channels',
  'freqs', 'nwb', 'n-cycles', 'decim', 'band', 'roi', 'baseline', 'baseline-mode', 'events', 'epoch', 'strategy']);
/** Valued flags that may be given several times; their values are joined with a newline. */
const REPEATABLE = new Set(['band', 'roi']);
const BOOLEAN = new Set(['json', 'help', 'force', 'no-progress', 'with-phase', 'zero-mean', 'force-jobs']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') { flags.set('help', true); continue; }
    if (a === '-j' || a === '-o') { argv[i] = a === '-j' ? '--jobs' : '--out'; i--; continue; }
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq > 0 ? eq : undefined);
    if (VALUED.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      const prev = flags.get(name);
      flags.set(name, REPEATABLE.has(name) && typeof prev === 'string' ? `${prev}\n${v}` : v);
    } else if (BOOLEAN.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else {
      const near = suggest(name, [...VALUED, ...BOOLEAN]);
      throw new UsageError(`unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}`);
    }
  }
  const command = positional.shift() ?? '';
  return { command, positional, flags };
}

export function str(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function num(a: ParsedArgs, name: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = str(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} ${v}: expected ${what}`);
  return n;
}

/** Raw-binary open options from --channels --rate --dtype --gain --offset --input-format. */
export function openOptions(a: ParsedArgs): OpenOptions {
  const o: OpenOptions = {};
  const ch = num(a, 'channels', (n) => Number.isInteger(n) && n > 0, 'a positive channel count');
  if (ch !== undefined) o.channels = ch;
  const rate = num(a, 'rate', (n) => n >= LIMITS.sampleRateHz.min && n <= LIMITS.sampleRateHz.max, `a sample rate from ${LIMITS.sampleRateHz.min} to ${LIMITS.sampleRateHz.max} Hz`);
  if (rate !== undefined) o.rate = rate;
  const gain = num(a, 'gain', (n) => n !== 0, 'uV per bit');
  if (gain !== undefined) o.gain = gain;
  const off = num(a, 'offset', (n) => Number.isInteger(n) && n >= 0, 'header bytes');
  if (off !== undefined) o.offset = off;
  const dtype = str(a, 'dtype');
  if (dtype !== undefined) {
    if (dtype !== 'int16' && dtype !== 'uint16' && dtype !== 'float32') throw new UsageError(`--dtype ${dtype}: use int16, uint16 or float32`);
    o.dtype = dtype;
  }
  const format = str(a, 'input-format');
  if (format !== undefined) o.format = format as OpenOptions['format'];
  return o;
}

/** Channel list like "0-3,7". */
export function channelList(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UsageError(`--only ${spec}: expected channel indices like 0-3,7`);
    const a = Number(m[1]), b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) throw new UsageError(`--only ${spec}: range ${a}-${b} is reversed`);
    // Bounded before expanding: `--only 0-100000000` must not fill the heap.
    if (b >= LIMITS.maxChannels || out.length + (b - a + 1) > LIMITS.maxChannels) {
      throw new UsageError(`--only ${spec}: channel indices must be below ${LIMITS.maxChannels} (and at most that many in all)`);
    }
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}
