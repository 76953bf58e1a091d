// The keyboard shortcuts, shown with "?" (and closed with Escape or a click outside).
import { useUi } from '../stores/ui';

export const SHORTCUTS: [string, string][] = [
  ['?', 'show / hide this help'],
  ['1 / 2 / 3', 'tabs: traces, sorting, correction'],
  ['← / →', 'pan the traces by half a window'],
  ['+ / -', 'zoom the traces in / out (also the mouse wheel; drag to pan)'],
  ['Shift+↑ / Shift+↓', 'trace gain up / down'],
  ['↑ / ↓', 'select the previous / next unit in the table'],
  ['Ctrl+click', 'add a unit to the selection (for merge and cross-correlograms)'],
  ['G', 'merge the selected units'],
  ['Delete', 'delete the selected units as noise'],
  ['Alt+G / Alt+M / Alt+N', 'label the selection good / mua / noise'],
  ['Ctrl+Z', 'undo the last curation action'],
  ['Ctrl+Shift+Z or Ctrl+Y', 'redo'],
  ['lasso (scatter)', 'split the selected unit: every spike inside the polygon in feature space'],
  ['T', 'toggle light / dark theme'],
];

export function HelpOverlay() {
  const { help, setHelp } = useUi();
  if (!help) return null;
  return (
    <div className="overlay" onClick={() => setHelp(false)} data-testid="help-overlay">
      <div className="overlay-box" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts"><tbody>
          {SHORTCUTS.map(([k, v]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>)}
        </tbody></table>
        <p className="muted">Every curation action is written to curation.jsonl in the recording's session folder before it applies, so it survives a reload, a crash and a restart.</p>
        <button onClick={() => setHelp(false)}>Close (Esc)</button>
      </div>
    </div>
  );
}
