// The desktop scenario, written once against a driver: test/desktop/scenario.desktop.ts runs it on
// the Electron API emulation (here, in CI), test/electron/smoke.test.ts on the real Electron binary
// through Playwright's _electron launcher (.github/workflows/desktop.yml, skipped without a binary).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';

export interface DesktopDriver {
  page: Page;
  /** Click an item of the application menu by its labels, e.g. ['File', 'Open…']. */
  clickMenu(labels: string[]): Promise<void>;
  /** The next dialog of this kind answers this (what Electron's dialog module resolves with). */
  answerDialog(method: 'showOpenDialog' | 'showSaveDialog', answer: object): Promise<void>;
  /** Live worker utility processes (pid, service name). */
  workers(): Promise<{ pid: number; name: string }[]>;
  /** A file dragged from the OS and dropped on the window. */
  dropFile(file: string): Promise<void>;
  /** Close the window like the user; resolves with the app's exit code. */
  closeWindow(): Promise<number>;
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

export async function demoShown(page: Page, timeout: number): Promise<void> {
  await page.getByTestId('recording-title').filter({ hasText: '32 ch' }).waitFor({ timeout });
  await page.getByTestId('trace-canvas').waitFor({ timeout: 10_000 });
}

/**
 * Channels 0-7 of the spike demo that hold a neuron (its ground_truth.json); the others have a few
 * threshold crossings and no unit, so a retry there would leave nothing to check.
 */
const DEMO_NEURON_CHANNELS = [0, 1, 4, 5, 6];

/** Sort channels 0-7 on 2 workers; kill the worker process that is inside a channel with a neuron mid-run. */
export async function sortKillingOneWorker(d: DesktopDriver): Promise<{ pid: number; channel: number }> {
  const { page } = d;
  await page.getByLabel('jobs').fill('2');
  await page.getByTestId('channels').fill('0-7');
  await page.getByTestId('run-start').click();
  let killed: { pid: number; channel: number } | null = null;
  await expect.poll(async () => {
    const bars = await page.getByTestId('worker-bar').evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', pct: Number((e as HTMLElement).dataset.percent) })));
    const busy = bars.map((b) => ({ ...b, m: /^W(\d+) · ch (\d+)/.exec(b.text) }))
      .find((b) => b.m && b.pct > 0 && b.pct < 100 && DEMO_NEURON_CHANNELS.includes(Number(b.m[2])));
    if (bars.length < 2 || !busy) return false;
    const w = (await d.workers()).find((x) => x.name.endsWith(`worker-${busy.m![1]}`));
    if (!w) return false;
    killed = { pid: w.pid, channel: Number(busy.m![2]) };
    process.kill(w.pid, 'SIGKILL');
    return true;
  }, { timeout: 120_000, interval: 50 }).toBe(true);
  await expect.poll(async () => (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '', { timeout: 240_000, interval: 500 }).toMatch(/sort · done/);
  expect(await page.getByTestId('run-report').textContent()).not.toMatch(/failed channels/);
  // Per-worker progress: one bar per worker, both finished.
  const bars = page.getByTestId('worker-bar');
  expect(await bars.count()).toBe(2);
  for (let i = 0; i < 2; i++) expect(await bars.nth(i).getAttribute('data-percent')).toBe('100');
  // Replaced: two live workers again, the killed one not among them.
  expect(alive(killed!.pid)).toBe(false);
  await expect.poll(async () => (await d.workers()).length, { timeout: 30_000 }).toBe(2);
  expect((await d.workers()).map((w) => w.pid)).not.toContain(killed!.pid);
  // Retried: the channel that was running on the killed worker has its units.
  await page.getByTestId('unit-row').first().waitFor({ timeout: 30_000 });
  const channels = await page.getByTestId('unit-row').evaluateAll((rows) => rows.map((r) => r.children[1]?.textContent));
  expect(channels).toContain(`CH${killed!.channel + 1}`);
  return killed!;
}

export async function exportPhyFromMenu(d: DesktopDriver, dir: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  await d.answerDialog('showSaveDialog', { canceled: false, filePath: dir });
  await d.clickMenu(['File', 'Export Sorted Units', 'Phy folder…']);
  await d.page.getByTestId('export-result').waitFor({ timeout: 120_000 });
  for (const f of ['params.py', 'spike_times.npy', 'spike_clusters.npy']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
  await d.page.getByTestId('toast-close').click();
}

export async function openFromMenu(d: DesktopDriver, file: string): Promise<void> {
  await d.answerDialog('showOpenDialog', { canceled: false, filePaths: [file] });
  await d.clickMenu(['File', 'Open…']);
  await d.page.getByTestId('recording-title').filter({ hasText: path.basename(file) }).waitFor({ timeout: 60_000 });
}

export async function dropOpens(d: DesktopDriver, file: string): Promise<void> {
  await d.dropFile(file);
  await d.page.getByTestId('recording-title').filter({ hasText: path.basename(file, path.extname(file)) }).waitFor({ timeout: 60_000 });
}

/** Close the window: exit code 0 and none of the worker processes left. */
export async function closeDisposesWorkers(d: DesktopDriver): Promise<void> {
  const pids = (await d.workers()).map((w) => w.pid);
  expect(pids.length).toBe(2);
  expect(await d.closeWindow()).toBe(0);
  await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
}
