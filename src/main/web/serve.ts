// `npm run serve`: the same UI in a browser. Usage: serve [--port N] [--jobs N] [--root DIR] [FILE...]
// Files named on the command line and everything under --root (default: the current folder)
// may be opened from the browser.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices } from '../compose';
import { ThreadHost } from '../pool/thread-host';
import { startWebHost } from './server';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const port = Number(opt('--port') ?? 0);
  const jobs = opt('--jobs');
  const roots = [opt('--root') ?? process.cwd()];
  const demoDir = opt('--demo-dir');
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From src/main/web/ (tsx) or out/node/ (the build): the renderer build is <root>/out/web.
  const staticDir = [path.resolve(here, '../../../out/web'), path.resolve(here, '../web')].find((d) => fs.existsSync(d)) ?? path.resolve(here, '../web');
  const services = await createServices({ host: 'web', processHost: new ThreadHost(), poolSize: jobs ? Number(jobs) : undefined, demoDir });
  for (const r of roots) services.allow.allowRoot(r);
  for (const f of args) services.allow.allowFile(f);
  const host = await startWebHost({ staticDir, services, port });
  console.log(`SpikeDesk web host on 127.0.0.1:${host.port} with ${services.pool.size} workers`);
  console.log(`Open: ${host.url}`);
  const stop = async () => { await host.close(); await services.dispose(); process.exit(0); };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
