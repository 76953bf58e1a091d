// UI responsiveness: starts the web host (2 workers) and headless Chromium, opens the 32-channel
// spike demo and measures the time per pan step (ArrowRight -> decimated window requested from
// the workers -> canvas redrawn) at two zoom levels; reports the median in ms (target <= 100 ms).
// There is no Python peer for a browser round trip; the note says so.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launch, startHost } from '../test/e2e/harness';
import type { BenchContext, BenchRow } from './types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function panSteps(page: Page, steps: number): Promise<number[]> {
  const canvas = page.getByTestId('trace-canvas');
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const seq = Number(await canvas.getAttribute('data-seq'));
    const t0 = Date.now();
    await page.keyboard.press('ArrowRight');
    // Done when the canvas has drawn the new window (the draw sets data-seq after painting).
    await page.waitForFunction((s) => {
      const c = document.querySelector('[data-testid="trace-canvas"]') as HTMLElement | null;
      return !!c && Number(c.dataset.seq) > s && !document.querySelector('[data-testid="trace-window"]')?.textContent?.includes('loading');
    }, seq, { polling: 'raf', timeout: 10_000 });
    times.push(Date.now() - t0);
  }
  return times;
}

function median(x: number[]): number {
  const s = [...x].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export default async function bench(ctx: BenchContext): Promise<BenchRow[]> {
  process.chdir(ROOT);
  const host = await startHost(['--jobs', '2']);
  const browser = await launch();
  const rows: BenchRow[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.getByTestId('recording-title').filter({ hasText: '32 ch' }).waitFor({ timeout: 300_000 });
    await page.getByTestId('trace-canvas').waitFor();
    await page.waitForTimeout(500);
    const steps = ctx.quick ? 8 : 30;
    for (const [label, zoomOuts] of [['0.5 s window', 0], ['4 s window', 3]] as const) {
      for (let z = 0; z < zoomOuts; z++) {
        await page.keyboard.press('-');
        await page.waitForTimeout(300);
      }
      await panSteps(page, 3); // warm-up
      const t = await panSteps(page, steps);
      rows.push({
        area: 'ui', name: `pan step, 32 ch, ${label} (request + draw)`, unit: 'ms', value: median(t),
        target: '<= 100 ms', pass: median(t) <= 100,
        note: `median of ${steps} ArrowRight steps in headless Chromium, web host with 2 worker threads; max ${Math.max(...t)} ms; no Python peer for a browser round trip`,
      });
    }
  } finally {
    await browser.close();
    await host.stop();
  }
  return rows;
}
