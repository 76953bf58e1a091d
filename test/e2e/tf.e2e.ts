// Time-frequency end to end in Chromium over the web host: open the EEG demo, run the spectrogram on
// 2 workers, pick the theta channel group (ROI) and check that the theta band lights up during the
// demo's theta bursts (from its truth.json) and not between them, nor on a channel outside the group.
// Only the artifact-free first seconds of the demo are used (the scanner's gradients start at 10 s).
// Also: per-worker progress bars during the run, the colour bar's unit, dB and log axis, the time
// cursor shared with the traces view, the tab's key, and the exports named after the recording.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_DIR, ROOT, shot, useApp, waitForRecording } from './harness';

interface PlotData { data: { x: number[]; y: number[] }[] }

async function bandTrace(page: Page): Promise<{ x: number[]; y: number[] }> {
  return page.getByTestId('spectrogram').evaluate((el) => {
    const d = (el as unknown as PlotData).data;
    return { x: Array.from(d[1].x), y: Array.from(d[1].y) };
  });
}

function meanIn(t: { x: number[]; y: number[] }, a: number, b: number): number {
  let s = 0, n = 0;
  t.x.forEach((x, i) => { if (x >= a && x <= b) { s += t.y[i]; n++; } });
  return s / n;
}

describe('time-frequency view', () => {
  const app = useApp();

  it('runs the spectrogram of the EEG demo on 2 workers and the theta band lights up in the bursts', async () => {
    const { page } = app;
    await app.open();
    await page.getByTestId('demo-eeg').click({ timeout: 180_000 }); // enabled once the start-up demo is ready (slow on a loaded machine)
    await waitForRecording(page, 'brainvision');
    // The tab's tooltip names its key, and the key opens it.
    expect(await page.getByTestId('tab-tf').getAttribute('title')).toBe('Time–frequency (4)');
    await page.keyboard.press('4');
    await page.getByTestId('tf-view').waitFor();
    // The sidebar on this tab: no sort/correction parameters nor their run button, a note that mode and jobs apply.
    await page.getByTestId('run-tf-note').waitFor();
    expect(await page.getByTestId('run-start').count()).toBe(0);
    expect(await page.getByTestId('wf-sort').count()).toBe(0);
    // The estimate of both modes is for the spectrogram of the tab's form (no probe: a modelled cost),
    // and the form names the output's size: 32 channels x 29 frequencies x the decimated times.
    await expect.poll(async () => (await page.getByTestId('est-fast').textContent()) ?? '').toMatch(/^~\d+ MB · ~[\d.]+ (s|min)$/);
    // No run of it yet on this machine (a fresh settings folder): the time is the model's, and said to be.
    expect(await page.getByTestId('est-model').textContent()).toMatch(/^time from the benchmark machine's model, not yet measured on this one/);
    const size = (await page.getByTestId('tf-size').textContent()) ?? '';
    const m = /decim (\d+) .* power (\d+) MB/.exec(size);
    expect(m, size).not.toBeNull();
    expect(Number(m![2])).toBe(Math.round((32 * 29 * Math.ceil(600_000 / Number(m![1])) * 4) / 2 ** 20));
    // A step of 0 (typed, or the field emptied) is named, and nothing runs (the list would never end);
    // the form stays as set while another tab is shown.
    await page.getByLabel('frequency step').fill('0');
    await expect.poll(async () => (await page.getByTestId('tf-form-error').textContent().catch(() => '')) ?? '').toMatch(/the frequency step \(0 Hz\) must be above 0 Hz/);
    expect(await page.getByTestId('run-tf').isDisabled()).toBe(true);
    await page.getByTestId('tab-traces').click();
    await page.getByTestId('tab-tf').click();
    expect(await page.getByLabel('frequency step').inputValue()).toBe('0');
    await page.getByLabel('frequency step').fill('1');
    await expect.poll(async () => page.getByTestId('tf-form-error').count()).toBe(0);
    // A region naming a channel the recording lacks is named too (it was dropped from the average unsaid).
    const region = await page.getByLabel('region of interest').inputValue();
    await page.getByLabel('region of interest').fill(`${region},EEG99`);
    await expect.poll(async () => (await page.getByTestId('tf-form-error').textContent().catch(() => '')) ?? '').toMatch(/region "theta-group" names "EEG99", not a channel of this recording/);
    expect(await page.getByTestId('run-tf').isDisabled()).toBe(true);
    await page.getByLabel('region of interest').fill(region);
    await expect.poll(async () => page.getByTestId('tf-form-error').count()).toBe(0);
    // Progress per worker as in the other workflows, in the view itself: one bar per worker, and the
    // bars move (their channel and percent change) while the spectrogram runs. Every state the bars
    // are drawn in is recorded in the page by a MutationObserver, so that a fast run (an idle machine)
    // cannot finish between two polls and hide the movement.
    await page.getByTestId('tf-view').evaluate((view) => {
      const seen: string[] = [];
      (globalThis as { __tfBarStates?: string[] }).__tfBarStates = seen;
      const record = (): void => {
        const bars = [...view.querySelectorAll('[data-testid="worker-bar"]')].map((e) => `${e.textContent ?? ''}@${(e as HTMLElement).dataset.percent}`);
        const state = bars.join(' | ');
        if (bars.length === 2 && seen.at(-1) !== state) seen.push(state);
      };
      new MutationObserver(record).observe(view, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByTestId('run-tf').click();
    const tfBars = page.getByTestId('tf-view').getByTestId('worker-bar');
    const states = new Set<string>();
    let pictured = false;
    await expect.poll(async () => {
      const bars = await tfBars.evaluateAll((els) => els.map((e) => `${e.textContent ?? ''}@${(e as HTMLElement).dataset.percent}`));
      if (bars.length === 2 && /W\d+ · ch \d+ · tf/.test(bars.join())) {
        states.add(bars.join(' | '));
        // Pictured once the bars have moved (a screenshot takes long enough to miss states).
        if (!pictured && states.size === 2) { pictured = true; await shot(page, 'time-frequency-running'); }
      }
      return (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '';
    }, { timeout: 240_000, interval: 40 }).toMatch(/tf · done/);
    const drawn = await page.evaluate(() => (globalThis as { __tfBarStates?: string[] }).__tfBarStates ?? []);
    const working = new Set(drawn.filter((st) => /W\d+ · ch \d+ · tf/.test(st)));
    expect(working.size, drawn.join('\n')).toBeGreaterThanOrEqual(2);
    const done = await tfBars.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.percent)));
    expect(done).toEqual([100, 100]);
    // The regions' band power is a global stage (channel -1): its worker is busy with every channel,
    // not "idle" as the bar used to say.
    expect(drawn.join('\n')).not.toMatch(/idle/);
    expect(drawn.join('\n')).toMatch(/W\d+ · all channels · tf-band/);
    expect(await page.getByTestId('tf-progress').textContent()).toMatch(/spectrogram done · 32\/32 channels/);
    expect((await page.getByTestId('run-report').textContent()) ?? '').toMatch(/× 2/);
    await page.getByTestId('spectrogram').waitFor();
    const truth = JSON.parse(fs.readFileSync(path.join(DEMO_DIR, 'eeg', 'truth.json'), 'utf8')) as { theta: { onsetsS: number[]; durationS: number; channels: string[] } };
    const [b0, b1] = truth.theta.onsetsS;
    const dur = truth.theta.durationS;
    expect(b1).toBeLessThan(10); // both bursts before the first volume: artifact-free EEG
    const inBurst = (t: { x: number[]; y: number[] }): number => meanIn(t, b0 + 0.4, b0 + dur - 0.4);
    const between = (t: { x: number[]; y: number[] }): number => meanIn(t, b0 + dur + 1, b1 - 1);

    await page.getByTestId('tf-target').selectOption({ label: 'ROI theta-group' });
    await expect.poll(async () => (await bandTrace(page).catch(() => ({ x: [], y: [] }))).x.length, { timeout: 30_000 }).toBeGreaterThan(100);
    const roi = await bandTrace(page);
    const roiRatio = inBurst(roi) / between(roi);
    console.log(`theta ROI: burst / between = ${roiRatio.toFixed(2)}`);
    expect(roiRatio).toBeGreaterThan(2.5);

    await page.getByTestId('tf-target').selectOption({ label: 'EEG20' });
    await expect.poll(async () => { const t = await bandTrace(page); return t.y[50] !== roi.y[50]; }, { timeout: 30_000 }).toBe(true);
    const outside = await bandTrace(page);
    const outRatio = inBurst(outside) / between(outside);
    console.log(`theta EEG20 (outside the group): burst / between = ${outRatio.toFixed(2)}`);
    expect(outRatio).toBeLessThan(1.6);
    expect(roiRatio).toBeGreaterThan(2 * outRatio);
    await page.getByTestId('tf-target').selectOption({ label: 'ROI theta-group' });
    await shot(page, 'time-frequency', 800);
    // The chosen region stays chosen while another tab is shown (the view unmounts).
    await page.getByTestId('tab-traces').click();
    await page.getByTestId('tab-tf').click();
    await expect.poll(() => page.getByTestId('tf-target').inputValue()).toBe('rtheta-group');
    // The spectrogram's report is compared with the estimate made for it (the tab's form, this mode and jobs).
    await page.getByTestId('run-report').waitFor();
    const vs = (await page.getByTestId('est-vs-actual').textContent()) ?? '';
    console.log(`tf run: ${vs}`);
    expect(vs).toMatch(/^estimated ~[\d.]+ (s|min) · ~\d+ MB; took [\d.]+ (s|min) \(×[\d.]+ of the estimated time\) · \d+ MB · that estimate was the benchmark model's \(this machine was not measured yet\); this run measured it$/);
    // The finished run asked for the estimate again: it is this machine's now, and the model's note is gone.
    await expect.poll(() => page.getByTestId('est-model').count()).toBe(0);

    // Colour bar in the power unit (dB by default), linear or log frequency axis.
    const plot = (): Promise<{ bar: string; yType: string }> => page.getByTestId('spectrogram').evaluate((el) => {
      const p = el as unknown as { data: { colorbar: { title: { text: string } } }[]; layout: { yaxis: { type: string } } };
      return { bar: p.data[0].colorbar.title.text, yType: p.layout.yaxis.type };
    });
    expect(await plot()).toEqual({ bar: 'dB re 1 uV^2', yType: 'linear' });
    await page.getByTestId('tf-db').uncheck();
    await page.getByTestId('tf-log').check();
    await expect.poll(plot).toEqual({ bar: 'uV^2', yType: 'log' });
    await page.getByTestId('tf-db').check();
    await page.getByTestId('tf-log').uncheck();

    // The time cursor is shared with the traces view: a click on the spectrogram sets it (and brings
    // the traces there), a click on the traces moves it, and the spectrogram shows the new place.
    const drag = page.getByTestId('spectrogram').locator('.nsewdrag').first();
    const box = (await drag.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.getByTestId('tf-cursor').waitFor();
    const t1 = Number(/cursor ([\d.]+) s/.exec((await page.getByTestId('tf-cursor').textContent()) ?? '')![1]);
    expect(t1).toBeGreaterThan(0);
    await page.keyboard.press('1');
    const canvas = page.getByTestId('trace-canvas');
    await expect.poll(async () => Number(await canvas.getAttribute('data-cursor'))).toBeCloseTo(t1, 2);
    const [w0, w1] = ((await page.getByTestId('trace-window').textContent()) ?? '').split(' s of')[0].split('–').map(Number);
    expect(t1).toBeGreaterThanOrEqual(w0);
    expect(t1).toBeLessThanOrEqual(w1);
    const cb = (await canvas.boundingBox())!;
    await page.mouse.click(cb.x + cb.width * 0.8, cb.y + cb.height * 0.5);
    await expect.poll(async () => Math.abs(Number(await canvas.getAttribute('data-cursor')) - t1)).toBeGreaterThan(0.05);
    const t2 = Number(await canvas.getAttribute('data-cursor'));
    await page.keyboard.press('4');
    await expect.poll(async () => (await page.getByTestId('tf-cursor').textContent()) ?? '').toBe(`cursor ${t2.toFixed(3)} s`);
    const line = await page.getByTestId('spectrogram').evaluate((el) => (el as unknown as { layout: { shapes: { x0: number }[] } }).layout.shapes[0]?.x0);
    expect(line).toBeCloseTo(t2, 6);
    expect(app.errors).toEqual([]);
  });

  it('on the corrected signal: the scanner\'s gradient harmonics leave the 15-30 Hz band of the spectrogram', async () => {
    const { page } = app;
    await page.keyboard.press('4');
    await page.getByTestId('tf-target').selectOption({ label: 'ROI theta-group' });
    await expect.poll(async () => (await page.getByTestId('tf-signal').textContent()) ?? '').toBe('shown: raw signal');
    // Mean dB over 15-30 Hz while the scanner runs (the demo's volumes from 10 s to 110 s).
    const beta = (): Promise<number> => page.getByTestId('spectrogram').evaluate((el) => {
      const d = (el as unknown as { data: { x: number[]; y: number[]; z: number[][] }[] }).data[0];
      let s = 0, n = 0;
      d.y.forEach((f, fi) => { if (f >= 15 && f <= 30) d.x.forEach((t, ti) => { if (t >= 20 && t <= 100) { s += d.z[fi][ti]; n++; } }); });
      return s / n;
    });
    const raw = await beta();
    expect(await page.getByTestId('tf-corrected').isChecked()).toBe(false);
    // The demo has scanner markers: the tab suggests the corrected signal until it is ticked.
    expect(await page.getByTestId('tf-scanner-hint').textContent()).toMatch(/MRI scanner markers \(979 × Response\/R128\): tick “corrected”/);
    await page.getByTestId('tf-corrected').check();
    expect(await page.getByTestId('tf-scanner-hint').count()).toBe(0);
    await page.getByTestId('run-tf').click();
    await expect.poll(async () => (await page.getByTestId('tf-signal').textContent()) ?? '', { timeout: 240_000 }).toBe('shown: corrected signal');
    expect((await page.getByTestId('run-report').textContent()) ?? '').toMatch(/tf · done/);
    const corrected = await beta();
    console.log(`ROI 15-30 Hz during the scan: raw ${raw.toFixed(1)} dB, corrected ${corrected.toFixed(1)} dB`);
    expect(raw - corrected).toBeGreaterThan(10);
    await shot(page, 'time-frequency-corrected', 800);
    // Back to the raw signal for the exports below: its entries are still in the cache.
    await page.getByTestId('tf-corrected').uncheck();
    await page.getByTestId('run-tf').click();
    await expect.poll(async () => (await page.getByTestId('tf-signal').textContent()) ?? '', { timeout: 120_000 }).toBe('shown: raw signal');
    expect(app.errors).toEqual([]);
  });

  it('exports the drawn spectrogram as PNG (File menu) and SVG (toolbar button) through the backend', async () => {
    const { page } = app;
    const out = path.join(ROOT, '.tmp', 'e2e-tf-exports');
    fs.rmSync(out, { recursive: true, force: true });
    const png = path.join(out, 'theta.png');
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-export-tf-png').click();
    await page.getByTestId('export-path').fill(png);
    await page.getByTestId('export-go').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('export-result').textContent()).toMatch(/Spectrogram image \(PNG\)/);
    await page.getByTestId('toast-close').click();
    const bytes = fs.readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const plotWidth = await page.getByTestId('spectrogram').evaluate((el) => el.clientWidth);
    expect(bytes.readUInt32BE(16)).toBe(plotWidth); // IHDR width: the plot as drawn
    expect(bytes.readUInt32BE(20)).toBe(460);
    expect(bytes.length).toBeGreaterThan(20_000); // a heatmap, not an empty frame

    // The toolbar button opens the same export with the session's default path.
    await page.getByTestId('tf-svg').click();
    // Named after the recording and the workflow.
    const svgPath = await page.getByTestId('export-path').inputValue();
    const recording = ((await page.getByTestId('recording-title').textContent()) ?? '').split(' · ')[0];
    expect(path.basename(svgPath)).toBe(`${path.basename(recording, path.extname(recording))}-tf.svg`);
    expect(path.basename(path.dirname(svgPath))).toBe('exports');
    await page.getByTestId('export-go').click();
    await page.getByTestId('export-result').waitFor({ timeout: 60_000 });
    await page.getByTestId('toast-close').click();
    const svg = fs.readFileSync(svgPath, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('frequency (Hz)');
    expect(svg).toMatch(/<image[^>]+href="data:image\/png;base64,/); // the heatmap itself
    expect(svg).toContain('theta (');

    // The same name again asks before replacing; a path outside the allowed folders is refused.
    await page.getByTestId('menu-file').click();
    await page.getByTestId('menu-export-tf-png').click();
    await page.getByTestId('export-path').fill(png);
    await page.getByTestId('export-go').click();
    await page.getByTestId('export-exists').waitFor();
    await page.getByTestId('export-path').fill('/etc/spikedesk-spectrogram.png');
    await page.getByTestId('export-go').click();
    await expect.poll(async () => (await page.getByTestId('export-error').textContent().catch(() => '')) ?? '').toMatch(/PATH_NOT_ALLOWED/);
    await page.getByTestId('export-cancel').click();
    expect(fs.existsSync('/etc/spikedesk-spectrogram.png')).toBe(false);
    expect(app.errors).toEqual([]);
  });

  it('reopened, the tab\'s form says how the recording\'s last spectrogram was made', async () => {
    const { page } = app;
    await page.keyboard.press('4');
    await page.getByLabel('highest frequency').fill('20');
    await page.getByLabel('cycles').fill('4');
    // The run shortcut from the field just typed in: the tab's form runs (not the side panel's sort).
    await page.getByLabel('cycles').press('Control+Enter');
    // Done when the drawn spectrogram is this run's (the report of the previous run reads 'tf · done' too).
    const topHz = (): Promise<number> => page.getByTestId('spectrogram').evaluate((el) => {
      const y = (el as unknown as { data: { y: number[] }[] }).data[0].y;
      return Math.max(...y);
    }).catch(() => 0);
    await expect.poll(topHz, { timeout: 120_000 }).toBe(20);
    await expect.poll(async () => (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '', { timeout: 120_000 }).toMatch(/tf · done/);
    // A new page (the stores start over), the same recording: its session's last tf parameters fill the form.
    await app.open();
    await page.getByTestId('demo-eeg').click({ timeout: 180_000 });
    await waitForRecording(page, 'brainvision');
    await page.keyboard.press('4');
    await page.getByTestId('tf-view').waitFor();
    await expect.poll(() => page.getByLabel('highest frequency').inputValue()).toBe('20');
    expect(await page.getByLabel('cycles').inputValue()).toBe('4');
    expect(await page.getByLabel('lowest frequency').inputValue()).toBe('2');
    await expect.poll(topHz, { timeout: 60_000 }).toBe(20);
    // Edit > Run does what Ctrl+Enter does: the tab's form runs again (all from the cache now).
    await page.getByTestId('menu-edit').click();
    expect(await page.getByTestId('menu-run').textContent()).toBe('Run the shown tab\'s workflow (Ctrl+Enter)');
    await page.getByTestId('menu-run').click();
    await expect.poll(async () => (await page.getByTestId('run-report').textContent().catch(() => '')) ?? '', { timeout: 60_000 }).toMatch(/tf · done.*cached: tf/);
    expect(app.errors).toEqual([]);
  }, 300_000);
});
