// The kept versions of a curated sort (item 2 keeps one before every re-sort): reopen one whole
// (its units, labels and undo history; the result shown now is kept as a version first, so the
// reopen is undone by reopening that one), or apply its labels to the current sort's matching
// units. Names only cross to the backend; it finds the files in the session folder itself.
import { useSort } from '../stores/sort';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function VersionsDialog() {
  const { versions, overview, busy, closeVersions, restoreVersion, applyVersionLabels } = useSort();
  if (!versions) return null;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Kept versions" onKeyDown={(e) => { if (e.key === 'Escape') closeVersions(); }}>
      <div className="dialog panel wide" data-testid="versions-dialog">
        <h2>Kept versions of the curated sort</h2>
        {versions.length === 0
          ? <p className="muted" data-testid="versions-empty">No version kept yet: one is kept when a re-run of the sorting replaces a curated result.</p>
          : (
            <>
              <p className="muted small">
                <strong>Open</strong> shows that sort again with its curation and undo history; the result shown now is kept as a version
                first, so nothing is lost. <strong>Apply labels</strong> labels the units of the current sort that share at least half of
                their spikes with a labelled unit of the version (undoable).
              </p>
              <div className="table-scroll" style={{ maxHeight: 260 }}>
                <table className="units-table" data-testid="versions-table">
                  <thead><tr><th>version</th><th>kept</th><th>units</th><th>labelled</th><th>steps</th><th /></tr></thead>
                  <tbody>
                    {[...versions].reverse().map((v) => (
                      <tr key={v.name} data-testid="version-row" data-name={v.name} data-current={v.runId === overview?.runId ? '1' : undefined}>
                        <td title={`sort run ${v.runId}`}>{v.name}</td>
                        <td>{when(v.createdAt)}</td>
                        <td className="num">{v.units}</td>
                        <td className="num">{v.labelled}</td>
                        <td className="num" title="curation steps in its journal">{v.journalRecords}</td>
                        <td className="actions">
                          <button type="button" disabled={busy} onClick={() => void restoreVersion(v.name)} data-testid="version-open">Open</button>{' '}
                          <button type="button" disabled={busy || !overview || v.labelled === 0} onClick={() => void applyVersionLabels(v.name)} data-testid="version-apply">Apply labels</button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        <div className="row end">
          <button type="button" autoFocus onClick={closeVersions} data-testid="versions-close">Close</button>
        </div>
      </div>
    </div>
  );
}

/** One line after a version was reopened or its labels applied. */
export function VersionNotice() {
  const { restored, applied } = useSort();
  if (restored) {
    return (
      <div className="muted small" data-testid="version-notice">
        Opened version “{restored.restored.name}” ({restored.restored.units} units, {restored.restored.labelled} labelled)
        {restored.kept ? `; the result shown before is kept as version “${restored.kept.name}”.` : '.'}
      </div>
    );
  }
  if (applied) {
    return (
      <div className="muted small" data-testid="version-notice">
        Labels of version “{applied.version}” applied to {applied.carried.length} matching units{applied.carried.length ? ' (Undo takes them back)' : ''}.
      </div>
    );
  }
  return null;
}
