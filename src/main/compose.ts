// The composition root shared by every host: builds the services in dependency order with
// plain constructors (pool -> engine -> backend) and tears them down in reverse.

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BackendEvent, BackendInfo } from '../shared/api';
import { Backend } from './backend';
import { Engine } from './pipeline/engine';
import { Pool } from './pool/pool';
import type { ProcessHost } from './pool/process-host';
import { PathAllowList } from './security/path-allow-list';
import { RecentFiles } from './session/recent';
import { Calibration } from './pipeline/calibration';

export const VERSION = '0.1.0';

export interface ServicesOptions {
  host: BackendInfo['host'];
  processHost: ProcessHost;
  /** Worker entry module; defaults to the TypeScript source (Node hosts run it through tsx). */
  workerEntry?: string;
  poolSize?: number;
  demoDir?: string;
  allow?: PathAllowList;
  /** A recording to open when the UI asks for "no file" (the host was started with FILE), instead of the demo. */
  startFile?: string;
  /** Where settings (recent files, run estimates) are kept; default defaultSettingsDir(). */
  settingsDir?: string;
}

export interface Services {
  pool: Pool;
  engine: Engine;
  backend: Backend;
  allow: PathAllowList;
  recent: RecentFiles;
  /** Subscribe to backend events (progress, run reports); returns an unsubscribe function. */
  onEvent(cb: (e: BackendEvent) => void): () => void;
  dispose(): Promise<void>;
}

/** The worker entry: the built worker.js next to a bundled host (out/node/), else the TypeScript source. */
export function defaultWorkerEntry(): string {
  const built = fileURLToPath(new URL('./worker.js', import.meta.url));
  return fs.existsSync(built) ? built : fileURLToPath(new URL('./pool/worker.ts', import.meta.url));
}

/**
 * Where settings (recent files, run estimates) are kept when no folder is given: SPIKEDESK_SETTINGS_DIR,
 * else ~/.spikedesk. The CLI and the web host share it; the app passes Electron's userData folder.
 */
export function defaultSettingsDir(): string {
  return process.env.SPIKEDESK_SETTINGS_DIR || path.join(os.homedir(), '.spikedesk');
}

export function defaultDemoDir(): string {
  return path.join(os.homedir(), '.spikedesk', 'demo');
}

/** The web host has no file dialog and a browser cannot hand over a dropped file's path. */
export function webFixHint(demoDir: string): (roots: string[]) => string {
  return (roots) => {
    const user = roots.filter((r) => r !== path.resolve(demoDir) && !r.endsWith('.spikedesk'));
    return `the web host opens files under the folders it was started with (${user.join(', ') || 'none'}); `
      + 'type a path inside one of them, or restart it with `npm run serve -- --root DIR` or `npm run serve -- FILE`';
  };
}

export async function createServices(opts: ServicesOptions): Promise<Services> {
  const listeners = new Set<(e: BackendEvent) => void>();
  const allow = opts.allow ?? new PathAllowList();
  if (opts.host === 'web') allow.setFixHint(webFixHint(opts.demoDir ?? defaultDemoDir()));
  const workerEntry = opts.workerEntry ?? defaultWorkerEntry();
  const pool = new Pool(opts.processHost, workerEntry, { size: opts.poolSize });
  await pool.start();
  const engine = new Engine(pool);
  const settings = opts.settingsDir ?? defaultSettingsDir();
  const recent = new RecentFiles(path.join(settings, 'recent.json'));
  const calibration = new Calibration(path.join(settings, 'calibration.json'));
  recent.prune();
  for (const p of recent.list()) allow.allowFile(p);
  const backend = new Backend({
    host: opts.host, version: VERSION, pool, engine, allow,
    demoDir: opts.demoDir ?? defaultDemoDir(),
    recent,
    startFile: opts.startFile,
    calibration,
    batch: { processHost: opts.processHost, workerEntry },
    emit: (e) => { for (const l of listeners) l(e); },
  });
  return {
    pool, engine, backend, allow, recent,
    onEvent(cb) { listeners.add(cb); return () => listeners.delete(cb); },
    async dispose() { backend.dispose(); await pool.dispose(); },
  };
}
