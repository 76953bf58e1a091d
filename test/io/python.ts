// Helpers for the interoperability tests: run the reference Python (/usr/bin/python3) when it
// and the needed modules exist, else let the tests skip with a message.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const PYTHON = '/usr/bin/python3';

export function hasPython(modules: string[]): boolean {
  if (!fs.existsSync(PYTHON)) return false;
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

export function skipNote(what: string, modules: string[]): void {
  if (!hasPython(modules)) console.warn(`[interop] skipping ${what}: ${PYTHON} with ${modules.join(', ')} is not installed`);
}

/** Run a Python script with argv; returns its stdout parsed as JSON. */
export function runPython<T = unknown>(script: string, args: string[] = []): T {
  const r = spawnSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}
