// Thin wrappers over Slurm's client commands (sbatch, squeue, scontrol, scancel, sinfo). Every
// call has a timeout and turns a failure into a SpikeDeskError naming the command and its output.

import { execFile } from 'node:child_process';
import { SpikeDeskError } from '../../shared/errors';

export interface Exec {
  (cmd: string, args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
}

export const exec: Exec = (cmd, args, timeoutMs = 30000) => new Promise((resolve) => {
  execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
    const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 127) : 0;
    resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === 127 ? err.message : '')) });
  });
});

function failed(cmd: string, args: string[], r: { code: number; stderr: string; stdout: string }): SpikeDeskError {
  return new SpikeDeskError({
    code: 'SCHEDULER_FAILED',
    message: `${cmd} ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`,
    fix: 'check that Slurm is running (sinfo) and the options are valid for this cluster',
  });
}

/** Whether a Slurm controller answers and has a usable node; the reason when not. */
export async function slurmStatus(x: Exec = exec): Promise<{ ok: boolean; reason: string }> {
  const r = await x('sinfo', ['-h', '-o', '%t'], 8000);
  if (r.code !== 0) return { ok: false, reason: r.code === 127 ? 'sinfo not found (Slurm client not installed)' : `sinfo: ${(r.stderr || r.stdout).trim()}` };
  const states = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  if (!states.some((s) => /^(idle|mix|alloc|comp)/.test(s))) return { ok: false, reason: `no usable node (states: ${states.join(', ') || 'none'})` };
  return { ok: true, reason: 'ok' };
}

/** sbatch --parsable; returns the job id. */
export async function sbatch(args: string[], x: Exec = exec): Promise<string> {
  const full = ['--parsable', ...args];
  const r = await x('sbatch', full);
  if (r.code !== 0) throw failed('sbatch', full, r);
  const id = r.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw failed('sbatch', full, { ...r, stderr: `unexpected output '${r.stdout.trim()}'` });
  return id;
}

/** Array elements still known to squeue: id (`123_4`) -> state (PENDING, RUNNING, ...). */
export async function squeueStates(jobIds: string[], x: Exec = exec): Promise<Map<string, string>> {
  const args = ['-h', '-r', '-j', jobIds.join(','), '-o', '%i|%T'];
  const r = await x('squeue', args);
  const out = new Map<string, string>();
  // squeue exits non-zero when none of the ids is known any more: that is "all finished".
  if (r.code !== 0) {
    if (/Invalid job id/i.test(r.stderr)) return out;
    throw failed('squeue', args, r);
  }
  for (const line of r.stdout.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (id && state) out.set(id, state);
  }
  return out;
}

/** scontrol's one-line record of a job or array element (`123_4`), as key=value pairs; null when forgotten. */
export async function jobRecord(id: string, x: Exec = exec): Promise<Record<string, string> | null> {
  const r = await x('scontrol', ['show', 'job', '-o', id]);
  if (r.code !== 0 || !r.stdout.trim()) return null;
  const rec: Record<string, string> = {};
  for (const m of r.stdout.trim().split('\n')[0].matchAll(/(\w[\w/:]*)=(\S*)/g)) rec[m[1]] = m[2];
  return rec;
}

export async function scancel(ids: string[], x: Exec = exec): Promise<void> {
  if (!ids.length) return;
  const r = await x('scancel', ids);
  if (r.code !== 0) throw failed('scancel', ids, r);
}
