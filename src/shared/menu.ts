// Menu commands shared by the Electron application menu and the web UI's menu bar, so both
// offer the same actions. Electron sends them to the renderer as {spikedeskMenu: MenuCommand}.

export type SortedExportFormat = 'phy' | 'nwb' | 'blech' | 'csv';
export type CorrectedExportFormat = 'edf' | 'brainvision';
/** Data of the latest time-frequency run (written by the backend from the session cache). */
export type TfDataFormat = 'tf-nwb' | 'tf-npy';
/** The drawn spectrogram as an image (rendered by plotly in the page, written by the backend). */
export type TfImageFormat = 'tf-png' | 'tf-svg';
export type TfExportFormat = TfDataFormat | TfImageFormat;

export type MenuCommand =
  | { kind: 'open'; path: string }
  | { kind: 'open-demo'; demo: 'spikes' | 'eeg' }
  | { kind: 'export-sorted'; format: SortedExportFormat; path: string }
  | { kind: 'export-corrected'; format: CorrectedExportFormat; path: string }
  | { kind: 'export-tf'; format: TfExportFormat; path: string }
  /** Export the units of every finished recording of the last sort batch into a folder. */
  | { kind: 'export-batch'; format: SortedExportFormat; path: string }
  /** Recordings, folders or manifests the user chose for the batch panel (desktop dialog). */
  | { kind: 'batch-add'; paths: string[] }
  /** The batch output folder the user chose (desktop dialog). */
  | { kind: 'batch-out'; path: string }
  | { kind: 'reveal-session' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'theme'; theme: 'light' | 'dark' }
  | { kind: 'view'; view: string }
  | { kind: 'shortcuts' }
  | { kind: 'about' };

export interface MenuMessage { spikedeskMenu: MenuCommand }

export function isMenuMessage(x: unknown): x is MenuMessage {
  return typeof x === 'object' && x !== null && 'spikedeskMenu' in x;
}

export const SORTED_FORMATS: { format: SortedExportFormat; label: string; ext: string | null }[] = [
  { format: 'phy', label: 'Phy folder', ext: null },
  { format: 'nwb', label: 'NWB', ext: 'nwb' },
  { format: 'blech', label: 'blech_clust HDF5', ext: 'h5' },
  { format: 'csv', label: 'CSV / TSV', ext: null },
];

export const TF_FORMATS: { format: TfExportFormat; label: string; ext: string | null }[] = [
  { format: 'tf-nwb', label: 'NWB (DecompositionSeries)', ext: 'nwb' },
  { format: 'tf-npy', label: 'NumPy folder (power.npy...)', ext: null },
  { format: 'tf-png', label: 'Spectrogram image (PNG)', ext: 'png' },
  { format: 'tf-svg', label: 'Spectrogram image (SVG)', ext: 'svg' },
];

export function isTfImageFormat(f: string): f is TfImageFormat {
  return f === 'tf-png' || f === 'tf-svg';
}

export const CORRECTED_FORMATS: { format: CorrectedExportFormat; label: string; ext: string }[] = [
  { format: 'edf', label: 'EDF+', ext: 'edf' },
  { format: 'brainvision', label: 'BrainVision', ext: 'vhdr' },
];
