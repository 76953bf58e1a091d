// What a run trace (trace.ts) says, and the file it is written to: Chrome trace events (open the
// file in chrome://tracing or ui.perfetto.dev: one row per lane) plus a summary of
// (a) the serial time: process wall time during which no worker ran a task, by main-process phase;
// (b) the CPU the tasks used, per worker and per stage (with the time they waited for a CPU);
// (c) each worker's idle time inside the compute window (between its tasks, and after its last);
// and the process CPU (user + sys, all threads) split into the main thread, the workers and the rest
// (V8 garbage-collector and compiler threads, libuv).

import * as fs from 'node:fs';
import { writeFileAtomic } from '../io/atomic';
import { nowMs, threadClock, type RunTrace, type Span } from './trace';

const s3 = (ms: number): number => Math.round(ms) / 1000;

export interface WorkerSummary {
  tasks: number;
  busyS: number;
  /** Idle between the compute window's start and its last task's end (waiting for main). */
  gapIdleS: number;
  /** Idle after its last task while another worker still computed. */
  tailIdleS: number;
  /** CPU of its stages (sum over its tasks) and their wait for a CPU. */
  stageCpuS: number | null;
  stageWaitS: number | null;
  threadCpuS: number | null;
}

export interface TraceSummary {
  wallS: number;
  /** Process wall time during which no worker ran a task. */
  serialS: number;
  /** Main-process spans (seconds, summed per name). */
  mainPhases: Record<string, number>;
  computeS: number;
  workers: Record<string, WorkerSummary>;
  stages: Record<string, { n: number; wallS: number; cpuS: number | null; waitS: number | null }>;
  process: { cpuS: number; userS: number; sysS: number; mainThreadCpuS: number | null; workerThreadsCpuS: number | null; otherThreadsCpuS: number | null };
  /** CPU of the process's threads still alive at the end (V8 platform, libuv), by thread name (Linux). */
  threads: Record<string, number>;
}

/** CPU seconds of the live threads other than the calling one, summed per thread name (/proc). */
function liveThreads(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const self = fs.readlinkSync('/proc/thread-self').split('/').pop();
    for (const tid of fs.readdirSync('/proc/self/task')) {
      if (tid === self) continue;
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      if (Number.isFinite(ns)) out[name] = s3((out[name] ?? 0) * 1000 + ns / 1e6);
    }
  } catch { /* not Linux */ }
  return out;
}

function isTask(s: Span): boolean {
  return s.lane !== 'main' && s.name.startsWith('task');
}

/** Length of the union of intervals. */
function unionMs(iv: [number, number][]): number {
  const xs = [...iv].sort((a, b) => a[0] - b[0]);
  if (!xs.length) return 0;
  let total = 0, [cur0, cur1] = xs[0];
  for (const [a, b] of xs.slice(1)) {
    if (a > cur1) { total += cur1 - cur0; cur0 = a; cur1 = b; } else cur1 = Math.max(cur1, b);
  }
  return total + cur1 - cur0;
}

export function summarizeTrace(trace: RunTrace, end = nowMs(), origin = performance.timeOrigin, cpu = process.cpuUsage()): TraceSummary {
  const spans = trace.spans;
  const tasks = spans.filter(isTask);
  const wall = end - origin;
  const t0 = tasks.length ? Math.min(...tasks.map((s) => s.t0)) : end;
  const t1 = tasks.length ? Math.max(...tasks.map((s) => s.t1)) : end;
  const mainPhases: Record<string, number> = {};
  for (const s of spans) if (s.lane === 'main') mainPhases[s.name] = s3((mainPhases[s.name] ?? 0) * 1000 + s.t1 - s.t0);
  const workers: Record<string, WorkerSummary> = {};
  const lanes = [...new Set(tasks.map((s) => s.lane))].sort();
  for (const lane of lanes) {
    const own = tasks.filter((s) => s.lane === lane);
    const busy = unionMs(own.map((s) => [s.t0, s.t1]));
    const last = Math.max(...own.map((s) => s.t1));
    const inner = spans.filter((s) => s.lane === lane && !isTask(s) && s.cpuMs !== undefined && !s.name.includes(':'));
    const known = inner.length > 0;
    const th = trace.workers.get(lane);
    workers[lane] = {
      tasks: own.length, busyS: s3(busy), gapIdleS: s3(last - t0 - busy), tailIdleS: s3(t1 - last),
      stageCpuS: known ? s3(inner.reduce((a, s) => a + s.cpuMs!, 0)) : null,
      stageWaitS: known ? s3(inner.reduce((a, s) => a + (s.waitMs ?? 0), 0)) : null,
      threadCpuS: th?.cpuMs == null ? null : s3(th.cpuMs),
    };
  }
  const stages: TraceSummary['stages'] = {};
  for (const s of spans) {
    if (s.lane === 'main' || isTask(s)) continue;
    const st = stages[s.name] ?? { n: 0, wallS: 0, cpuS: null, waitS: null };
    st.n++;
    st.wallS = s3(st.wallS * 1000 + s.t1 - s.t0);
    if (s.cpuMs !== undefined) { st.cpuS = s3((st.cpuS ?? 0) * 1000 + s.cpuMs); st.waitS = s3((st.waitS ?? 0) * 1000 + (s.waitMs ?? 0)); }
    stages[s.name] = st;
  }
  const main = threadClock();
  const wt = [...trace.workers.values()];
  const workerCpu = wt.length && wt.every((w) => w.cpuMs != null) ? wt.reduce((a, w) => a + w.cpuMs!, 0) : null;
  const total = (cpu.user + cpu.system) / 1000;
  return {
    wallS: s3(wall),
    serialS: s3(wall - unionMs(tasks.map((s) => [s.t0, s.t1]))),
    mainPhases,
    computeS: s3(t1 - t0),
    workers,
    stages,
    process: {
      cpuS: s3(total), userS: s3(cpu.user / 1000), sysS: s3(cpu.system / 1000),
      mainThreadCpuS: main ? s3(main.cpuMs) : null,
      workerThreadsCpuS: workerCpu === null ? null : s3(workerCpu),
      otherThreadsCpuS: main && workerCpu !== null ? s3(total - main.cpuMs - workerCpu) : null,
    },
    threads: liveThreads(),
  };
}

/** Writes the trace (Chrome trace events + summary) atomically; returns the summary. */
export function writeTrace(trace: RunTrace, file: string): TraceSummary {
  const summary = summarizeTrace(trace);
  const origin = performance.timeOrigin;
  const lanes = ['main', ...[...new Set(trace.spans.map((s) => s.lane))].filter((l) => l !== 'main').sort()];
  const traceEvents = [
    ...lanes.map((l, i) => ({ name: 'thread_name', ph: 'M', pid: 1, tid: i, args: { name: l } })),
    ...trace.spans.map((s) => ({
      name: s.channel !== undefined && s.channel >= 0 ? `${s.name} ch${s.channel}` : s.name, ph: 'X', pid: 1, tid: lanes.indexOf(s.lane),
      ts: Math.round((s.t0 - origin) * 1000), dur: Math.max(0, Math.round((s.t1 - s.t0) * 1000)),
      args: { cpuMs: s.cpuMs, waitMs: s.waitMs },
    })),
  ];
  writeFileAtomic(file, `${JSON.stringify({ summary, traceEvents })}\n`);
  return summary;
}

/** Reads a trace file's summary back (tests, the bench). */
export function readTraceSummary(file: string): TraceSummary {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { summary: TraceSummary }).summary;
}
