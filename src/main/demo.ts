// The embedded demo recordings, generated deterministically from a seed by project code the
// first time they are needed, then reused. Written crash-safely: a stamp file is written last,
// so an interrupted generation is redone, never used half-written.
//  - spikes: 32 channels, 30 kHz, 3 minutes, Open Ephys binary format (structure.oebin +
//    continuous.dat, int16 at 0.195 uV/bit), with ground_truth.json (units, trains).
//  - eeg: 32-channel EEG-fMRI with gradient artifacts and slice markers, BrainVision, with the
//    clean EEG kept in clean.f32 for scoring (see src/main/demo-eeg.ts).

import fs from 'node:fs';
import path from 'node:path';
import { generateSpikeRecording } from '../workers/synth/spikes';
import { AtomicFileWriter, writeFileAtomic } from './io/atomic';
import { writeEegDemo } from './demo-eeg';
import type { Pool } from './pool/pool';

export const DEMO_SEED = 20261122;
const SPIKE_DEMO = { seed: DEMO_SEED, nChannels: 32, sampleRate: 30000, durationS: 180, bitVolts: 0.195 };
/** Per kind: bumped when a demo's content changes (eeg 2: theta bursts), so an old copy is regenerated. */
const STAMP_VERSION = { spikes: 1, eeg: 2 } as const;

interface Stamp { version: number; kind: string; seed: number; file: string }

export type DemoKind = 'spikes' | 'eeg';

/** Path of the demo recording if it is complete (stamp of this version present), else null. */
export function demoReady(kind: DemoKind, demoDir: string): string | null {
  const dir = path.join(demoDir, kind);
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, 'demo.json'), 'utf8')) as Stamp;
    if (stamp.version === STAMP_VERSION[kind] && stamp.seed === DEMO_SEED && fs.existsSync(path.join(dir, stamp.file))) return path.join(dir, stamp.file);
  } catch { /* not generated yet */ }
  return null;
}

function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Deletes temp files (`.<name>.<pid>.<ms>.<n>.tmp`, io/atomic.ts) that an interrupted generation
 * left in a demo folder (the spike demo's is ~300 MB): those of processes that are gone, and with
 * `ownToo` this process's too (the caller knows no generation of this kind runs in it).
 */
export function removeDemoTemps(kind: DemoKind, demoDir: string, ownToo = false): string[] {
  const dir = path.join(demoDir, kind);
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const m = /^\..+\.(\d+)\.\d+\.\d+\.tmp$/.exec(e.name);
    if (!m || !e.isFile()) continue;
    const pid = Number(m[1]);
    if (pid === process.pid ? ownToo : !processAlive(pid)) {
      const f = path.join(e.parentPath, e.name);
      fs.rmSync(f, { force: true });
      removed.push(f);
    }
  }
  return removed;
}

/** Path of the demo recording, generating it first if needed (on the calling thread: CLI, workers). */
export async function ensureDemo(kind: DemoKind, demoDir: string, onProgress?: (f: number) => void): Promise<string> {
  const ready = demoReady(kind, demoDir);
  if (ready) return ready;
  const dir = path.join(demoDir, kind);
  const stampPath = path.join(dir, 'demo.json');
  removeDemoTemps(kind, demoDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = kind === 'spikes' ? await writeSpikeDemo(dir, onProgress) : await writeEegDemo(dir, DEMO_SEED, onProgress);
  writeFileAtomic(stampPath, JSON.stringify({ version: STAMP_VERSION[kind], kind, seed: DEMO_SEED, file: path.relative(dir, file) } satisfies Stamp));
  return file;
}

async function writeSpikeDemo(dir: string, onProgress?: (f: number) => void): Promise<string> {
  const o = SPIKE_DEMO;
  const rec = generateSpikeRecording({ seed: o.seed, nChannels: o.nChannels, sampleRate: o.sampleRate, durationS: o.durationS });
  const stream = 'SpikeDesk_Demo-100.0';
  const contDir = path.join(dir, 'continuous', stream);
  fs.mkdirSync(contDir, { recursive: true });
  const oebin = {
    GUI_version: '0.6.0',
    continuous: [{
      folder_name: `${stream}/`, sample_rate: o.sampleRate, source_processor_name: 'SpikeDesk demo generator',
      source_processor_id: 100, stream_name: 'Demo', recorded_processor: 'SpikeDesk', recorded_processor_id: 100,
      num_channels: o.nChannels,
      channels: Array.from({ length: o.nChannels }, (_, c) => ({
        channel_name: `CH${c + 1}`, description: 'headstage data channel', identifier: 'genericdata.continuous',
        history: 'SpikeDesk demo', bit_volts: o.bitVolts, units: 'uV', source_processor_index: c, recorded_processor_index: c,
      })),
    }],
    events: [],
    spikes: [],
  };
  const block = o.sampleRate; // one second at a time
  const w = AtomicFileWriter.open(path.join(contDir, 'continuous.dat'));
  try {
    const buf = new Int16Array(block * o.nChannels);
    for (let start = 0; start < rec.nSamples; start += block) {
      const end = Math.min(rec.nSamples, start + block);
      const n = end - start;
      for (let c = 0; c < o.nChannels; c++) {
        const x = rec.channelBlock(c, start, end);
        for (let i = 0; i < n; i++) buf[i * o.nChannels + c] = Math.max(-32768, Math.min(32767, Math.round(x[i] / o.bitVolts)));
      }
      w.write(new Uint8Array(buf.buffer, 0, n * o.nChannels * 2));
      onProgress?.(end / rec.nSamples);
      await new Promise((r) => setImmediate(r)); // keep the host responsive
    }
    w.commit();
  } catch (e) {
    w.abort();
    throw e;
  }
  const truth = {
    seed: o.seed, sampleRate: o.sampleRate, nSamples: rec.nSamples,
    units: rec.units.map((u, i) => ({ id: u.id, channel: u.channel, snr: u.snr, rateHz: u.rateHz, refractoryMs: u.refractoryMs, bursty: u.bursty, similarTo: u.similarTo, spikes: Array.from(rec.trains[i]) })),
  };
  writeFileAtomic(path.join(dir, 'ground_truth.json'), JSON.stringify(truth));
  const oebinPath = path.join(dir, 'structure.oebin');
  writeFileAtomic(oebinPath, JSON.stringify(oebin, null, 2));
  return oebinPath;
}

/** Progress message a worker posts while it generates a demo (pool.onMessage). */
export interface DemoProgress { type: 'demo-progress'; kind: DemoKind; fraction: number }

function isDemoProgress(x: unknown): x is DemoProgress {
  return typeof x === 'object' && x !== null && (x as { type?: unknown }).type === 'demo-progress';
}

/**
 * The demo for a host: generated on a pool worker (ensureDemo in src/main/pool/worker.ts), so the
 * host's event loop keeps answering other requests (the generation is seconds to minutes of CPU).
 */
export async function ensureDemoOnPool(pool: Pool, kind: DemoKind, demoDir: string, onProgress?: (f: number) => void): Promise<string> {
  const ready = demoReady(kind, demoDir);
  if (ready) return ready;
  // The backend runs one generation per kind at a time: this process's leftovers are stale too
  // (a worker killed mid-way, e.g. when a run's cancel or a crash took it down).
  removeDemoTemps(kind, demoDir, true);
  const off = pool.onMessage((m) => { if (isDemoProgress(m.data) && m.data.kind === kind) onProgress?.(m.data.fraction); });
  try {
    return await pool.run((api) => api.generateDemo(kind, demoDir));
  } finally {
    off();
  }
}
