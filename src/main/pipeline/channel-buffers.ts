// Whole-channel sample arrays lent to fast-mode channel tasks and reused by the next task of the
// same thread. Why: each fast-mode task holds a few arrays as long as the channel (the raw channel,
// the filtered channel kept for detection, the filtered channel read back for clustering): 19 MB
// each at 30 kHz x 160 s. Fresh ones are fresh pages: glibc maps them, the kernel faults in every
// page on its first write and unmaps it when V8 frees the array. With two workers in one process,
// one thread's unmapping and the other's faulting contend on the process's one memory map; a
// 16 ch x 30 kHz x 160 s sort took about 130k page faults with 1 worker and 210k with 2.
// Only arrays whose every sample is written before any is read are lent (a returned array keeps
// the last task's samples, never zeros), so reuse cannot change a result.

/** Spare arrays kept per thread: a 4-channel read batch, the filtered channel and one read back. */
const MAX_SPARE = 6;
/** Spares are dropped once the thread has given none back for this long (an idle app worker). */
const IDLE_MS = 10_000;

const spare: Float32Array[] = [];
let lastReturn = 0;
let timer: ReturnType<typeof setTimeout> | null = null;

/** A Float32Array of n samples with arbitrary contents: the caller writes all n before reading. */
export function borrowSamples(n: number): Float32Array {
  const i = spare.findIndex((b) => b.length === n);
  return i >= 0 ? spare.splice(i, 1)[0] : new Float32Array(n);
}

/** Arrays from borrowSamples that nothing references any more (a finished task's). */
export function returnSamples(bufs: Iterable<Float32Array>): void {
  for (const b of bufs) {
    if (spare.includes(b)) continue;
    spare.push(b);
    // The oldest go first; a spare of another length (another recording) is never reused anyway.
    if (spare.length > MAX_SPARE) spare.shift();
  }
  lastReturn = performance.now();
  armIdleRelease();
}

function armIdleRelease(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = null;
    // The timer may run late (after a long task), so idleness is checked, not assumed.
    if (performance.now() - lastReturn >= IDLE_MS) spare.length = 0;
    else armIdleRelease();
  }, IDLE_MS);
  timer.unref?.();
}

/** Spare arrays held now (tests). */
export function spareCount(): number {
  return spare.length;
}
