// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), writes
// bench/results/latest.json and latest.md. `--quick` uses smaller sizes.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchFn, BenchRow } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));

function findPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import numpy, scipy, sklearn'], { stdio: 'ignore' });
      return py;
    } catch { /* next */ }
  }
  return null;
}

function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '';
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}

/** One table of the latest figures of every area (each area's own latest run). */
function summary(outDir: string): string {
  const lines = ['# SpikeDesk benchmarks: latest figures per area', '', `machine: ${os.cpus().length} cores · ${os.cpus()[0]?.model} · node ${process.version}`, ''];
  for (const f of fs.readdirSync(outDir).filter((x) => x.endsWith('.json') && x !== 'latest.json').sort()) {
    const d = JSON.parse(fs.readFileSync(path.join(outDir, f), 'utf8')) as { date: string; quick: boolean; python: string | null; rows: BenchRow[] };
    lines.push(`## ${f.replace('.json', '')} (${d.date}${d.quick ? ', quick' : ''}; python peers: ${d.python ?? 'not installed'})`, '',
      '| benchmark | value | unit | reference | ratio | target | pass | note |', '|---|---|---|---|---|---|---|---|',
      ...d.rows.map((r) => `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.reference !== undefined ? `${fmt(r.reference)} (${r.referenceName ?? ''})` : ''} | ${fmt(r.ratio)} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'no'} | ${r.note ?? ''} |`), '');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args.filter((a) => !a.startsWith('--'));
  const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort()
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikedesk-bench-'));
  const ctx: BenchContext = { python: findPython(), tmpDir, quick };
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, node ${process.version}; python peers: ${ctx.python ?? 'not installed (apt-get install -y python3-scipy python3-sklearn)'}`);
  for (const f of files) {
    const area = f.replace('.bench.ts', '');
    console.log(`-- ${area}`);
    try {
      const mod = (await import(pathToFileURL(path.join(here, f)).href)) as { default: BenchFn };
      const r = await mod.default(ctx);
      for (const row of r) console.log(`   ${row.name}: ${fmt(row.value)} ${row.unit}${row.reference !== undefined ? ` (ref ${fmt(row.reference)}, ratio ${fmt(row.ratio)})` : ''}${row.pass === false ? '  [target missed]' : ''}`);
      rows.push(...r);
      // Per-area results too, so a run of one area does not lose the others' latest figures.
      fs.mkdirSync(path.join(here, 'results'), { recursive: true });
      fs.writeFileSync(path.join(here, 'results', `${area}.json`), JSON.stringify({ date: new Date().toISOString(), quick, python: ctx.python, rows: r }, null, 2));
    } catch (e) {
      failures.push(`${area}: ${e instanceof Error ? e.message : String(e)}`);
      console.error(`   failed: ${e instanceof Error ? e.stack : e}`);
    }
  }
  fs.rmSync(tmpDir, { recursive: true, force: true });
  const outDir = path.join(here, 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const meta = { date: new Date().toISOString(), cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, python: ctx.python, quick };
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify({ meta, rows, failures }, null, 2));
  const md = [
    `# SpikeDesk benchmarks`, '', `${meta.date} · ${meta.cores} cores · ${meta.cpu} · node ${meta.node} · python peers: ${ctx.python ?? 'not installed'}${quick ? ' · quick mode' : ''}`, '',
    '| area | benchmark | value | unit | reference | ratio | target | pass | note |', '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.area} | ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.reference !== undefined ? `${fmt(r.reference)} (${r.referenceName ?? ''})` : ''} | ${fmt(r.ratio)} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'yes' : 'no'} | ${r.note ?? ''} |`),
    ...(failures.length ? ['', '## Failed benchmarks', ...failures.map((f) => `- ${f}`)] : []), '',
  ].join('\n');
  fs.writeFileSync(path.join(outDir, 'latest.md'), md);
  fs.writeFileSync(path.join(outDir, 'summary.md'), summary(outDir));
  console.log(`\nwrote bench/results/latest.json and latest.md, summary.md (${rows.length} rows${failures.length ? `, ${failures.length} failed` : ''})`);
  if (failures.length) process.exitCode = 1;
}

void main();
