// `npm run serve`: the same UI in a browser. Usage: see SERVE_USAGE (serve-args.ts).
// Files named on the command line and everything under --root (default: the current folder)
// may be opened from the browser; the first file named is opened at start instead of the demo.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices } from '../compose';
import { capJobs } from '../jobs';
import { ThreadHost } from '../pool/thread-host';
import { parseServeArgs, SERVE_USAGE, ServeUsageError } from './serve-args';
import { startWebHost } from './server';

async function main(): Promise<number> {
  let args;
  try {
    args = parseServeArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof ServeUsageError)) throw e;
    console.error(`serve: ${e.message}\n\n${SERVE_USAGE}`);
    return 1;
  }
  if (args.help) { process.stdout.write(SERVE_USAGE); return 0; }
  for (const f of args.files) {
    if (!fs.existsSync(f)) { console.error(`serve: ${f} does not exist (check the path; FILE is a recording to open at start)`); return 2; }
  }
  if (args.settingsDir && fs.existsSync(args.settingsDir) && !fs.statSync(args.settingsDir).isDirectory()) {
    console.error(`serve: --settings-dir ${args.settingsDir} is not a folder (name a folder; it is created when missing)`); return 2;
  }
  let poolSize: number | undefined;
  if (args.jobs !== undefined) {
    const d = capJobs(args.jobs, undefined, args.forceJobs);
    if (d.warning) console.warn(`warning: ${d.warning}`);
    poolSize = d.jobs;
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From src/main/web/ (tsx) or out/node/ (the build): the renderer build is <root>/out/web.
  const staticDir = [path.resolve(here, '../../../out/web'), path.resolve(here, '../web')].find((d) => fs.existsSync(d)) ?? path.resolve(here, '../web');
  const services = await createServices({ host: 'web', processHost: new ThreadHost(), poolSize, demoDir: args.demoDir, settingsDir: args.settingsDir, startFile: args.files[0] });
  for (const r of args.roots) services.allow.allowRoot(r);
  for (const f of args.files) services.allow.allowFile(f);
  const host = await startWebHost({ staticDir, services, port: args.port });
  console.log(`SpikeDesk web host on 127.0.0.1:${host.port} with ${services.pool.size} workers${args.files[0] ? `, opening ${args.files[0]}` : ''}`);
  console.log(`Open: ${host.url}`);
  const stop = async () => { await host.close(); await services.dispose(); process.exit(0); };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return -1; // keep running
}

main().then((code) => { if (code >= 0) process.exitCode = code; }, (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
