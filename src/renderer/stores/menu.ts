// Menu store: runs File/Edit/View/Help commands (from the web menu bar or Electron's menu),
// holds the export dialog's state, the recent list and the last export's outcome.
import { create } from 'zustand';
import type { BatchExportSummary, ExportSummary, SessionInfo } from '../../shared/api';
import { isTfImageFormat, type ExportCommand, type ExportCommandFormats, type ExportCommandKind, type ExportKind, type MenuCommand, type TfImageFormat } from '../../shared/menu';
import { SpikeDeskError } from '../../shared/errors';
import { plotly } from '../lib/plotly';
import { backend, errorText } from '../api/client';
import { useRecording } from './recording';
import { useSort } from './sort';
import { useUi } from './ui';
import { useBatch } from './batch';

/**
 * The drawn spectrogram as a data URL, rendered by plotly at its size on screen (the backend writes
 * it). Only the Time–frequency view draws one: elsewhere the export says where to find it.
 */
async function spectrogramImage(format: TfImageFormat): Promise<string> {
  const el = document.querySelector<HTMLElement>('[data-testid="spectrogram"]');
  if (!el || !el.querySelector('.main-svg')) {
    throw new SpikeDeskError({ code: 'NOT_FOUND', message: 'no spectrogram is drawn', fix: 'open the Time–frequency tab, run or show a spectrogram, then export it' });
  }
  const P = await plotly();
  return P.toImage(el, { format: format === 'tf-png' ? 'png' : 'svg', width: Math.max(300, el.clientWidth), height: Math.max(200, el.clientHeight) });
}

export type { ExportKind };

/** Menu command -> the export it runs, typed per kind (each command carries its own kind's formats). */
const EXPORT_OF: { [K in ExportCommandKind]: (format: ExportCommandFormats[K]) => ExportKind } = {
  'export-sorted': (format) => ({ what: 'sorted', format }),
  'export-corrected': (format) => ({ what: 'corrected', format }),
  'export-tf': (format) => ({ what: 'tf', format }),
  'export-batch': (format) => ({ what: 'batch', format }),
};

export function exportOf<K extends ExportCommandKind>(cmd: ExportCommand<K>): ExportKind {
  return EXPORT_OF[cmd.kind](cmd.format);
}

export interface MenuState {
  session: SessionInfo | null;
  /** The export dialog (web UI): which export, the path being edited, a pending overwrite question. */
  dialog: { kind: ExportKind; path: string; confirmOverwrite: boolean } | null;
  busy: boolean;
  result: ExportSummary | null;
  batchResult: BatchExportSummary | null;
  error: { message: string; fix?: string; code?: string } | null;
  about: boolean;
  revealed: string | null;
  refresh(): Promise<void>;
  startExport(kind: ExportKind): Promise<void>;
  setDialogPath(p: string): void;
  closeDialog(): void;
  runExport(kind: ExportKind, path: string, overwrite: boolean): Promise<void>;
  run(cmd: MenuCommand): Promise<void>;
  dismiss(): void;
}

export const useMenu = create<MenuState>((set, get) => ({
  session: null,
  dialog: null,
  busy: false,
  result: null,
  batchResult: null,
  error: null,
  about: false,
  revealed: null,
  async refresh() {
    const { api } = await backend();
    try { set({ session: await api.sessionInfo() }); } catch { /* no session yet */ }
  },
  async startExport(kind) {
    await get().refresh();
    const batchOut = useBatch.getState().status?.outDir;
    const p = kind.what === 'batch' ? (batchOut ? `${batchOut}/exports-${kind.format}` : '') : get().session?.defaultExportPaths[kind.format] ?? '';
    set({ dialog: { kind, path: p, confirmOverwrite: false }, error: null, result: null, batchResult: null });
  },
  setDialogPath(p) { const d = get().dialog; if (d) set({ dialog: { ...d, path: p, confirmOverwrite: false } }); },
  closeDialog() { set({ dialog: null }); },
  async runExport(kind, path, overwrite) {
    const { api } = await backend();
    set({ busy: true, error: null, result: null, batchResult: null });
    try {
      if (kind.what === 'batch') {
        set({ busy: false, batchResult: await api.exportBatch(kind.format, path, overwrite), dialog: null });
        return;
      }
      const r = kind.what === 'sorted' ? await api.exportSorted(kind.format, path, overwrite)
        : kind.what === 'tf' ? (isTfImageFormat(kind.format)
          ? await api.exportTfImage(kind.format, path, overwrite, await spectrogramImage(kind.format))
          : await api.exportTf(kind.format, path, overwrite))
        : await api.exportCorrected(kind.format, path, overwrite);
      set({ busy: false, result: r, dialog: null });
    } catch (e) {
      const err = errorText(e);
      // Never replace silently: an existing output turns into a question.
      if (err.code === 'OUTPUT_EXISTS') set({ busy: false, dialog: { kind, path, confirmOverwrite: true } });
      else set({ busy: false, error: err });
    }
  },
  async run(cmd) {
    const ui = useUi.getState();
    switch (cmd.kind) {
      case 'open': await useRecording.getState().open(cmd.path); break;
      case 'open-demo': await useRecording.getState().openDemo(cmd.demo); break;
      case 'export-sorted': case 'export-corrected': case 'export-tf': case 'export-batch': {
        // The path was chosen in the desktop's save dialog: export at once (an existing target still asks).
        const kind = exportOf(cmd);
        set({ dialog: { kind, path: cmd.path, confirmOverwrite: false } });
        await get().runExport(kind, cmd.path, false);
        break;
      }
      case 'batch-add': useBatch.getState().addInputs(cmd.paths); ui.setTab('batch'); break;
      case 'batch-out': useBatch.getState().setOutDir(cmd.path); ui.setTab('batch'); break;
      case 'reveal-session': await get().refresh(); set({ revealed: get().session?.sessionDir ?? null }); break;
      case 'undo': await useSort.getState().undo(); break;
      case 'redo': await useSort.getState().redo(); break;
      case 'apply-rule': ui.setTab('sorting'); await useSort.getState().applyRule(); break;
      case 'run': ui.requestRun(); break;
      case 'theme': ui.setTheme(cmd.theme); break;
      case 'view': ui.setTab(cmd.view); break;
      case 'shortcuts': ui.setHelp(true); break;
      case 'about': set({ about: true }); break;
    }
  },
  dismiss() { set({ result: null, batchResult: null, error: null, about: false, revealed: null }); },
}));

/** Electron's application menu sends commands over the port; run them like the web menu's. */
export async function subscribeMenu(): Promise<void> {
  const { onMenu } = await backend();
  onMenu((c) => void useMenu.getState().run(c));
}
