// Container: the units most similar to the first selected one (same channel; cosine similarity of
// the mean waveforms, as phy's similarity view), the merge candidates a curator goes through. A
// click (or N / Shift+N) selects the unit with one of them, so the waveform overlay and the
// cross-correlogram compare the two; G merges them.
import { useEffect } from 'react';
import { clusterColor, useSort } from '../stores/sort';
import { hint, keyOf } from '../lib/shortcuts';

export function SimilarUnits() {
  const { selected, version, similar, loadSimilar, setSelection } = useSort();
  const of = selected[0];
  useEffect(() => { void loadSimilar(); }, [of, version, loadSimilar]);
  if (of === undefined) return null;
  const units = similar?.of === of ? similar.units : null;
  return (
    <div className="toolbar small similar" data-testid="similar-units">
      <span className="muted" title="other units of the same channel, by the cosine similarity of their mean waveforms (1 = the same shape, whatever the amplitude)">
        similar to #{of}:
      </span>
      {units === null ? <span className="muted">…</span>
        : units.length === 0 ? <span className="muted">no other unit on its channel</span>
          : units.map((u) => (
            <button key={u.id} className={`chip${selected[1] === u.id ? ' on' : ''}`} data-testid="similar-unit" data-id={u.id}
              title={hint(`Compare #${of} with #${u.id} (${u.nSpikes} spikes): waveforms overlaid and their cross-correlogram; one neuron leaves no spike pairs around 0 ms. Next / previous similar unit: ${keyOf('similar', 0)} / ${keyOf('similar', 1)}`, 'merge')}
              onClick={() => setSelection([of, u.id])}>
              <span className="swatch" style={{ background: clusterColor(u.id) }} />#{u.id} {u.similarity.toFixed(2)}
            </button>
          ))}
    </div>
  );
}
