// Export dialog (web UI; Electron uses native save dialogs and lands here only for the
// overwrite question and the outcome): target path, overwrite confirmation, result or error.
import { CORRECTED_FORMATS, isTfImageFormat, SORTED_FORMATS, TF_FORMATS } from '../../shared/menu';
import { useMenu } from '../stores/menu';
import { ErrorBox } from '../components/ErrorBox';

function formatLabel(format: string): string {
  return [...SORTED_FORMATS, ...CORRECTED_FORMATS, ...TF_FORMATS].find((f) => f.format === format)?.label ?? format;
}

export function ExportDialog() {
  const { dialog, busy, result, batchResult, error, about, revealed, setDialogPath, closeDialog, runExport, dismiss } = useMenu();
  if (dialog) {
    const { kind, path, confirmOverwrite } = dialog;
    return (
      <div className="overlay" role="dialog" aria-modal="true" aria-label="Export">
        <form className="dialog panel" onSubmit={(e) => { e.preventDefault(); void runExport(kind, path, false); }}>
          <h2>Export {kind.what === 'sorted' ? 'sorted units' : kind.what === 'batch' ? 'the units of every finished batch recording' : kind.what === 'tf' ? 'time–frequency' : 'corrected recording'} · {formatLabel(kind.format)}</h2>
          <label className="col">{kind.what === 'batch' ? 'Into the folder (one export per recording)' : 'Save to'}
            <input value={path} onChange={(e) => setDialogPath(e.target.value)} data-testid="export-path" autoFocus />
          </label>
          {confirmOverwrite && (
            <div className="warn" role="alert" data-testid="export-exists">
              {path} already exists. Replace it? The old export is kept until the new one is complete.
            </div>
          )}
          {error && <ErrorBox error={error} testId="export-error" />}
          <div className="row end">
            <button type="button" onClick={closeDialog} data-testid="export-cancel">Cancel</button>
            {confirmOverwrite
              ? <button type="button" className="primary" disabled={busy} onClick={() => void runExport(kind, path, true)} data-testid="export-replace">Replace</button>
              : <button type="submit" className="primary" disabled={busy || !path.trim()} data-testid="export-go">{busy ? 'Exporting…' : 'Export'}</button>}
          </div>
        </form>
      </div>
    );
  }
  if (!result && !batchResult && !error && !about && !revealed) return null;
  return (
    <div className="toast panel" role="status" data-testid="export-toast">
      {result && (
        <div data-testid="export-result">
          Exported {formatLabel(result.format)}: {isTfImageFormat(result.format) ? 'the drawn spectrogram' : result.channels !== undefined ? `${result.channels} channels` : `${result.units} units, ${result.spikes} spikes`}
          <div className="muted mono" title={result.path}>{result.path}</div>
          <div className="muted">{isTfImageFormat(result.format) ? 'image file' : `${result.files.length} files, with provenance`}</div>
        </div>
      )}
      {batchResult && (
        <div data-testid="export-batch-result">
          Exported {formatLabel(batchResult.format)} of {batchResult.exported.length} recording(s): {batchResult.exported.reduce((s, e) => s + e.units, 0)} units
          <div className="muted mono" title={batchResult.dir}>{batchResult.dir}</div>
          {batchResult.failed.map((f) => <div key={f.name} className="error-inline">{f.name}: {f.error}</div>)}
        </div>
      )}
      {error && <ErrorBox error={error} testId="export-error" />}
      {revealed && <div>Session folder: <span className="mono" data-testid="session-folder">{revealed}</span></div>}
      {about && <div>SpikeDesk 0.1.0 · spike sorting and EEG-fMRI artifact correction · open source (MIT)</div>}
      <button onClick={dismiss} data-testid="toast-close">Close</button>
    </div>
  );
}
