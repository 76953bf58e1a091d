// Pure per-worker progress bars: worker, channel, stage, percent and memory.
import type { WorkerProgress } from '../../shared/progress';

export function WorkerBars({ workers }: { workers: WorkerProgress[] }) {
  if (workers.length === 0) return <p className="empty small">No workers busy.</p>;
  return (
    <ul className="worker-bars" data-testid="worker-bars">
      {workers.map((w) => {
        const pct = Math.round(w.fraction * 100);
        return (
          <li key={w.worker} className="worker-bar" data-testid="worker-bar" data-percent={pct}>
            <span className="wb-label">W{w.worker} · {w.channel >= 0 ? `ch ${w.channel}` : 'idle'} · {w.stage}</span>
            <span className="wb-track" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
              <span className="wb-fill" style={{ width: `${pct}%` }} />
            </span>
            <span className="wb-text">{pct}% · {w.rssMB.toFixed(0)} MB</span>
          </li>
        );
      })}
    </ul>
  );
}
