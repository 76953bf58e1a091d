// Command-line parsing with Node's util.parseArgs: `spikedesk <command> [FILE] [--flag value]...`.
// Unknown flags and malformed values are usage errors (exit code 1) with a hint.

import { parseArgs as nodeParseArgs, type ParseArgsConfig } from 'node:util';
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
const VALUED = ['params', 'mode', 'jobs', 'out', 'channels', 'rate', 'dtype', 'gain', 'offset', 'format',
  'memory', 'input-format', 'trigger-channel', 'trigger-regex', 'only', 'demo-dir',
  'workflow', 'executor', 'parallel', 'partition', 'plan', 'phase', 'index', 'split-channels',
  'freqs', 'nwb', 'n-cycles', 'decim', 'band', 'roi', 'baseline', 'baseline-mode', 'events', 'epoch', 'strategy', 'trace', 'non-finite'];
/** Valued flags that may be given several times; their values are joined with a newline. */
const REPEATABLE = new Set(['band', 'roi']);
const BOOLEAN = ['json', 'help', 'force', 'no-progress', 'with-phase', 'zero-mean', 'force-jobs', 'label-rule', 'corrected'];
const SHORT: Record<string, string> = { jobs: 'j', out: 'o', help: 'h' };

type Options = NonNullable<ParseArgsConfig['options']>;
const OPTIONS: Options = Object.fromEntries([
  ...VALUED.map((name) => [name, { type: 'string' as const, multiple: REPEATABLE.has(name), ...(SHORT[name] ? { short: SHORT[name] } : {}) }]),
  ...BOOLEAN.map((name) => [name, { type: 'boolean' as const, ...(SHORT[name] ? { short: SHORT[name] } : {}) }]),
]);

/**
 * A value that starts with one dash (`--baseline -0.2:0`, `--epoch -0.5:1`) is taken as the value,
 * as before: parseArgs would call it ambiguous, so it is joined as `--name=value` first.
 */
function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : null;
    const next = argv[i + 1];
    if (name && VALUED.includes(name) && next !== undefined && /^-[^-]/.test(next) && !/^-[joh]$/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** parseArgs' errors, in the words the CLI has always used. */
function usageOf(e: unknown): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const opt = /'(--?[\w-]+)/.exec(msg)?.[1] ?? '';
  const name = opt.replace(/^-+/, '');
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = suggest(name, [...VALUED, ...BOOLEAN]);
    return new UsageError(`unknown option ${opt}${near ? ` (did you mean --${near}?)` : ''}`);
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const long = Object.entries(SHORT).find(([, s]) => `-${s}` === opt)?.[0] ?? name;
    return new UsageError(/does not take an argument/.test(msg) ? `--${long} takes no value` : `--${long} needs a value`);
  }
  return new UsageError(msg.split('\n')[0]);
}

export function parseArgs(argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: joinDashValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageOf(e);
  }
  const flags = new Map<string, string | true>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === undefined || v === false) continue;
    flags.set(name, Array.isArray(v) ? v.join('\n') : v === true ? true : String(v));
  }
  const positional = [...parsed.positionals];
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

/** Open options: raw binary's --channels --rate --dtype --gain --offset, --input-format, --non-finite. */
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
  const nonFinite = str(a, 'non-finite');
  if (nonFinite !== undefined) {
    if (nonFinite !== 'error' && nonFinite !== 'zero') throw new UsageError(`--non-finite ${nonFinite}: use zero (read NaN/Inf samples as 0) or error (the default: the channel fails)`);
    o.nonFinite = nonFinite;
  }
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
