// Menu commands shared by the Electron application menu and the web UI's menu bar, so both
// offer the same actions. Electron sends them to the renderer as {spikedeskMenu: MenuCommand}.

export type SortedExportFormat = 'phy' | 'nwb' | 'blech' | 'csv';
export type CorrectedExportFormat = 'edf' | 'brainvision';
/** Data of the latest time-frequency run (written by the backend from the session cache). */
export type TfDataFormat = 'tf-nwb' | 'tf-npy';
/** The drawn spectrogram as an image (rendered by plotly in the page, written by the backend). */
export type TfImageFormat = 'tf-png' | 'tf-svg';
export type TfExportFormat = TfDataFormat | TfImageFormat;

/**
 * The exports of the File menu and the formats of each: 'batch' = the units of every finished
 * recording of the last sort batch, one export each inside the chosen folder.
 */
export interface ExportFormats { sorted: SortedExportFormat; corrected: CorrectedExportFormat; tf: TfExportFormat; batch: SortedExportFormat }
export type ExportWhat = keyof ExportFormats;
/** One export: its kind and one of that kind's formats. */
export type ExportKind = { [W in ExportWhat]: { what: W; format: ExportFormats[W] } }[ExportWhat];

/** The menu command of each export: `export-<kind>`, carrying that kind's formats. */
export type ExportCommandFormats = { [W in ExportWhat as `export-${W}`]: ExportFormats[W] };
export type ExportCommandKind = keyof ExportCommandFormats;
export type ExportCommand<K extends ExportCommandKind = ExportCommandKind> = { [C in K]: { kind: C; format: ExportCommandFormats[C]; path: string } }[K];

export type MenuCommand =
  | { kind: 'open'; path: string }
  | { kind: 'open-demo'; demo: 'spikes' | 'eeg' }
  | ExportCommand
  /** Recordings, folders or manifests the user chose for the batch panel (desktop dialog). */
  | { kind: 'batch-add'; paths: string[] }
  /** The batch output folder the user chose (desktop dialog). */
  | { kind: 'batch-out'; path: string }
  | { kind: 'reveal-session' }
  | { kind: 'undo' }
  | { kind: 'redo' }
  /** Label every unsorted unit good or mua by the quality rule (one undoable step). */
  | { kind: 'apply-rule' }
  /** Run the shown tab's workflow (the side panel's sorting or correction, the time–frequency form). */
  | { kind: 'run' }
  | { kind: 'theme'; theme: 'light' | 'dark' }
  | { kind: 'view'; view: View }
  | { kind: 'shortcuts' }
  | { kind: 'about' };

/** The results tabs in order: the View menu lists them and number key i + 1 opens tab i. */
export const VIEWS = [
  { view: 'traces', label: 'Traces' },
  { view: 'sorting', label: 'Sorting & curation' },
  { view: 'correction', label: 'Correction' },
  { view: 'tf', label: 'Time–frequency' },
  { view: 'batch', label: 'Batch' },
] as const;
export type View = (typeof VIEWS)[number]['view'];

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
