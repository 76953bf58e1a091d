// The keyboard shortcuts, shown with "?" (and closed with Escape or a click outside).
import { useUi } from '../stores/ui';
import { SHORTCUTS } from '../lib/shortcuts';


export function HelpOverlay() {
  const { help, setHelp } = useUi();
  if (!help) return null;
  return (
    <div className="overlay" onClick={() => setHelp(false)} data-testid="help-overlay">
      <div className="overlay-box" onClick={(e) => e.stopPropagation()} role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts"><tbody>
          {Object.values(SHORTCUTS).map(({ keys, what }) => <tr key={keys}><td><kbd>{keys}</kbd></td><td>{what}</td></tr>)}
        </tbody></table>
        <p className="muted">Every curation action is written to curation.jsonl in the recording's session folder before it applies, so it survives a reload, a crash and a restart.</p>
        <button onClick={() => setHelp(false)}>Close (Esc)</button>
      </div>
    </div>
  );
}
