// Worker count policy shared by the CLI, the web host and the app: more workers than cores only
// adds switching and memory (a --jobs 99 run on 2 cores was 80x slower than --jobs 2), so a
// request above the core count is capped with a warning unless the user insists.

import os from 'node:os';

export function coreCount(): number {
  return os.availableParallelism?.() ?? os.cpus().length;
}

export interface JobsDecision { jobs: number; warning: string | null }

/** The worker count to use for `requested`, capped at `cores` unless `force`. */
export function capJobs(requested: number, cores = coreCount(), force = false, flag = '--force-jobs'): JobsDecision {
  if (requested <= cores) return { jobs: requested, warning: null };
  if (force) return { jobs: requested, warning: `running ${requested} workers on ${cores} cores (${flag}): expect it to be slower than ${cores}` };
  return {
    jobs: cores,
    warning: `${requested} workers asked for but this machine has ${cores} cores: using ${cores} (more workers than cores only slows a run down; add ${flag} to use ${requested} anyway)`,
  };
}
