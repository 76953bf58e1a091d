// Command line of `npm run serve` (the web host), parsed with node:util parseArgs: unknown
// options are errors with a hint, --help prints the usage without starting anything.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { suggest } from '../../shared/suggest';

export const SERVE_USAGE = `Usage: npm run serve -- [options] [FILE...]

Starts the SpikeDesk web UI on 127.0.0.1 and prints the address to open (with its access token).
FILE (optional) is opened at start instead of the demo; files named here and everything under
--root may be opened from the browser.

Options:
  --root DIR          allow opening files under DIR (repeatable; default: the current folder)
  --jobs N            worker processes (default: cores - 1; capped at the cores unless --force-jobs)
  --force-jobs        use --jobs N even above the number of cores
  --port N            port (default: a free one)
  --demo-dir DIR      where the demo recordings are kept (default ~/.spikedesk/demo)
  --settings-dir DIR  where settings are kept (recent files, run estimates; default
                      $SPIKEDESK_SETTINGS_DIR, else ~/.spikedesk)
  -h, --help          print this help and exit
`;

export interface ServeArgs {
  help: boolean;
  port: number;
  jobs: number | undefined;
  forceJobs: boolean;
  roots: string[];
  demoDir: string | undefined;
  settingsDir: string | undefined;
  files: string[];
}

export class ServeUsageError extends Error {}

const OPTIONS = {
  root: { type: 'string', multiple: true },
  jobs: { type: 'string' },
  'force-jobs': { type: 'boolean' },
  port: { type: 'string' },
  'demo-dir': { type: 'string' },
  'settings-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseServeArgs(argv: string[], cwd = process.cwd()): ServeArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /Unknown option '(--?[^']+)'/.exec((e as Error).message);
    if (m) {
      const near = suggest(m[1].replace(/^-+/, ''), Object.keys(OPTIONS));
      throw new ServeUsageError(`unknown option ${m[1]}${near ? ` (did you mean --${near}?)` : ''}`);
    }
    throw new ServeUsageError((e as Error).message);
  }
  const v = parsed.values;
  const int = (name: string, s: string | undefined, min: number): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) throw new ServeUsageError(`--${name} ${s}: expected a whole number >= ${min}`);
    return n;
  };
  const folder = (name: string, s: string | undefined): string | undefined => {
    if (s === undefined) return undefined;
    if (s.trim() === '') throw new ServeUsageError(`--${name}: expected a folder`);
    return path.resolve(cwd, s);
  };
  return {
    help: v.help === true,
    port: int('port', v.port, 0) ?? 0,
    jobs: int('jobs', v.jobs, 1),
    forceJobs: v['force-jobs'] === true,
    roots: (v.root?.length ? v.root : [cwd]).map((r) => path.resolve(cwd, r)),
    demoDir: folder('demo-dir', v['demo-dir']),
    settingsDir: folder('settings-dir', v['settings-dir']),
    files: parsed.positionals.map((f) => path.resolve(cwd, f)),
  };
}
