// Per-worker progress bars for a terminal: one line per pool slot plus a summary line with the
// channels done, the run's weighted fraction and the ETA, redrawn in place (at most 10 times a second).

import type { RunProgress } from '../shared/progress';

function bar(f: number, width: number): string {
  const n = Math.max(0, Math.min(width, Math.round(f * width)));
  return `${'#'.repeat(n)}${'.'.repeat(width - n)}`;
}

export function formatEta(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** The lines of one frame (pure, so it can be tested). */
export function progressLines(p: RunProgress, width = 30): string[] {
  const lines = p.workers.map((w) => {
    const what = w.channel >= 0 ? `ch ${String(w.channel).padStart(3)} ${w.stage.padEnd(8)}` : `${w.stage.padEnd(15)}`;
    return `worker ${w.worker} ${what} [${bar(w.fraction, width)}] ${String(Math.round(w.fraction * 100)).padStart(3)}%  ${Math.round(w.rssMB)} MB`;
  });
  // The run's stage-weighted fraction: it moves while the first phase runs on every channel, when
  // no channel is done yet (a sort's filter and detect), which channels done alone would not show.
  const f = Number.isFinite(p.fraction) ? p.fraction : p.channelsTotal ? p.channelsDone / p.channelsTotal : 1;
  lines.push(`channels ${p.channelsDone}/${p.channelsTotal} [${bar(f, width)}] ${String(Math.round(f * 100)).padStart(3)}%  ETA ${formatEta(p.etaS)}${p.channelsFailed ? `  ${p.channelsFailed} failed` : ''}`);
  return lines;
}

export class ProgressBars {
  private drawn = 0;
  private last = 0;
  private pending: RunProgress | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: RunProgress): void {
    this.pending = p;
    const now = Date.now();
    if (now - this.last < 100 && p.state === 'running') return;
    this.last = now;
    this.draw();
  }

  private draw(): void {
    if (!this.pending) return;
    const lines = progressLines(this.pending, Math.max(10, Math.min(40, (this.out.columns ?? 80) - 50)));
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += `\x1b[2K${l}\n`;
    this.out.write(s);
    this.drawn = lines.length;
  }

  finish(): void {
    this.draw();
  }
}
