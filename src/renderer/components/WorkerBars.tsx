// Pure per-worker progress bars: worker, channel, stage, percent and memory. Thread workers share
// one process (RssScope 'process'), so its memory is shown once under the bars, not as if each
// worker held it; workers that are processes of their own show their own.
import type { RssScope, WorkerProgress } from '../../shared/progress';

export function WorkerBars({ workers, rssScope }: { workers: WorkerProgress[]; rssScope?: RssScope }) {
  if (workers.length === 0) return <p className="empty small">No workers busy.</p>;
  const shared = rssScope === 'process';
  return (
    <>
      <ul className="worker-bars" data-testid="worker-bars">
        {workers.map((w) => {
          const pct = Math.round(w.fraction * 100);
          return (
            <li key={w.worker} className="worker-bar" data-testid="worker-bar" data-percent={pct}>
              {/* Channel -1: a global stage's task (trigger alignment, common reference, a tf region's band), which works on every channel. */}
              <span className="wb-label">W{w.worker} · {w.channel >= 0 ? `ch ${w.channel}` : 'all channels'} · {w.stage}</span>
              <span className="wb-track" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                <span className="wb-fill" style={{ width: `${pct}%` }} />
              </span>
              <span className="wb-text">{pct}%{shared ? '' : ` · ${w.rssMB.toFixed(0)} MB`}</span>
            </li>
          );
        })}
      </ul>
      {shared && (
        <div className="muted small" data-testid="worker-memory" title="The workers are threads of one process: this is its memory (RSS), shared by them">
          memory {Math.max(0, ...workers.map((w) => w.rssMB)).toFixed(0)} MB (one process, shared by the workers)
        </div>
      )}
    </>
  );
}
