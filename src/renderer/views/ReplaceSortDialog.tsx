// Asks before a sort re-run replaces a curated result: the curated result is kept as a named
// version in the session folder, and labels are carried over to matching units afterwards.
import { useRun } from '../stores/run';
import { useSort } from '../stores/sort';

export function ReplaceSortDialog() {
  const { confirmReplace, replaceConfirmed, replaceCancelled } = useRun();
  const overview = useSort((s) => s.overview);
  if (!confirmReplace || !overview) return null;
  const labelled = overview.clusters.filter((c) => c.label !== 'unsorted').length;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label="Replace the curated sort">
      <div className="dialog panel" data-testid="replace-sort">
        <h2>Re-run the spike sorting?</h2>
        <p>
          The current result has curation ({overview.clusters.length} units, {labelled} labelled). A new sort gives new units, so
          the curation cannot apply to it directly.
        </p>
        <ul>
          <li>The curated result is <strong>kept as a version</strong> in the session folder (units, labels and the curation journal).</li>
          <li>Labels are <strong>carried over</strong> to new units that share at least half of their spikes with a labelled old unit.</li>
        </ul>
        <div className="row end">
          <button type="button" onClick={replaceCancelled} data-testid="replace-cancel">Cancel</button>
          <button type="button" className="primary" autoFocus onClick={() => void replaceConfirmed()} data-testid="replace-confirm">Keep version and re-run</button>
        </div>
      </div>
    </div>
  );
}

/** One line after a re-sort: which version was kept and how many labels came over. */
export function CarriedNotice() {
  const carried = useRun((s) => s.carried);
  const versionShown = useSort((s) => s.restored !== null || s.applied !== null);
  if (!carried || versionShown) return null;
  const by = new Map<string, number>();
  for (const m of carried.carried) by.set(m.label, (by.get(m.label) ?? 0) + 1);
  return (
    <div className="muted small" data-testid="carried">
      Previous curation kept as version “{carried.version}”; {carried.carried.length
        ? `labels carried over to ${carried.carried.length} matching units (${[...by].map(([l, n]) => `${n} ${l}`).join(', ')}).`
        : 'no new unit matched a labelled old unit by spike overlap.'}
    </div>
  );
}
