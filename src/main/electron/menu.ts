// The application menu (Electron): File, Edit, View, Help. File actions that need a path use
// native dialogs; the chosen path joins the allow-list (and the recent list for recordings),
// then the command goes to the renderer, which runs it through the same backend calls as the
// web UI's menu bar.

import fs from 'node:fs';
import path from 'node:path';
import { BrowserWindow, Menu, app, dialog, shell, type MenuItemConstructorOptions, type SaveDialogOptions } from 'electron';
import type { Services } from '../compose';
import type { SessionInfo } from '../../shared/api';
import type { RecentFiles } from '../session/recent';
import {
  CORRECTED_FORMATS, SORTED_FORMATS, TF_FORMATS, VIEWS,
  type ExportCommand, type ExportCommandFormats, type ExportCommandKind, type MenuCommand, type MenuMessage,
} from '../../shared/menu';
import { exportAllowance, viewRoles } from './hardening';

export interface MenuContext {
  services: Services;
  recent: RecentFiles;
  /**
   * The session of the recording open in the window, however it was opened (menu, command line,
   * drop, the page's own path field, a demo): the save dialogs' default paths and Reveal use it.
   */
  session(): Promise<SessionInfo>;
  send(cmd: MenuCommand): void;
}

const RECORDING_FILTERS = [
  { name: 'Recordings', extensions: ['dat', 'bin', 'oebin', 'meta', 'nwb', 'h5', 'hdf5', 'edf', 'bdf', 'vhdr', 'rhd'] },
  { name: 'All files', extensions: ['*'] },
];

async function openRecording(ctx: MenuContext): Promise<void> {
  const win = BrowserWindow.getFocusedWindow();
  const opts = { properties: ['openFile' as const], filters: RECORDING_FILTERS };
  const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  if (res.canceled || !res.filePaths[0]) return;
  openPath(ctx, res.filePaths[0]);
}

/** Files, folders or manifests for the batch panel: each chosen file joins the allow-list, a chosen folder as a root. */
async function addToBatch(ctx: MenuContext): Promise<void> {
  const win = BrowserWindow.getFocusedWindow();
  const opts = { title: 'Add to Batch', properties: ['openFile' as const, 'openDirectory' as const, 'multiSelections' as const], filters: [...RECORDING_FILTERS, { name: 'Manifest', extensions: ['tsv', 'txt'] }] };
  const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  if (res.canceled || !res.filePaths.length) return;
  for (const p of res.filePaths) {
    if (fs.statSync(p).isDirectory()) ctx.services.allow.allowRoot(p);
    else ctx.services.allow.allowFile(p);
  }
  ctx.send({ kind: 'batch-add', paths: res.filePaths });
}

/** The batch output folder (created by the dialog if new); it joins the allow-list as a root. */
async function chooseBatchOut(ctx: MenuContext): Promise<void> {
  const win = BrowserWindow.getFocusedWindow();
  const opts = { title: 'Batch Output Folder', properties: ['openDirectory' as const, 'createDirectory' as const] };
  const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  if (res.canceled || !res.filePaths[0]) return;
  ctx.services.allow.allowRoot(res.filePaths[0]);
  ctx.send({ kind: 'batch-out', path: res.filePaths[0] });
}

export function openPath(ctx: MenuContext, p: string): void {
  ctx.services.allow.allowFile(p);
  ctx.recent.add(p);
  ctx.send({ kind: 'open', path: p });
  installMenu(ctx); // refresh Open Recent
}

type ExportFormat = keyof SessionInfo['defaultExportPaths'];

/** Default target: the backend's name for this export of the open recording (<recording>-tf.nwb, ...); a batch export gets a folder. */
export function defaultExportTarget(info: SessionInfo | null, format: ExportFormat, batch: boolean, documents: string): string {
  const own = batch ? undefined : info?.defaultExportPaths[format];
  return own ?? path.join(info?.sessionDir ?? documents, 'exports', batch ? `batch-${format}` : `spikedesk-${format}`);
}

async function chooseExportTarget(ctx: MenuContext, label: string, ext: string | null, format: ExportFormat, batch = false): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const info = await ctx.session().catch(() => null); // no recording open yet
  const defaultPath = defaultExportTarget(info, format, batch, app.getPath('documents'));
  // The same title and file filter with or without a focused window (a menu used with every window
  // in the background still gets them).
  const opts: SaveDialogOptions = ext
    ? { title: `Export ${label}`, defaultPath, filters: [{ name: label, extensions: [ext] }] }
    : { title: `Export ${label} (a new folder)`, defaultPath };
  const res = await (win ? dialog.showSaveDialog(win, opts) : dialog.showSaveDialog(opts));
  if (res.canceled || !res.filePath) return null;
  // Export targets are user-chosen paths too (existing ones are confirmed by the save dialog): the
  // chosen file or folder joins the allow-list, never its parent folder.
  const allow = exportAllowance(res.filePath, (p) => fs.existsSync(p));
  for (const f of allow.files) ctx.services.allow.allowFile(f);
  for (const r of allow.roots) ctx.services.allow.allowRoot(r);
  return res.filePath;
}

/**
 * An export submenu: one item per format; each asks for a target (a batch export: a folder of
 * exports, one per recording) and sends `kind` with the format and the chosen path.
 */
function exportSubmenu<K extends ExportCommandKind>(ctx: MenuContext, label: string, kind: K,
  formats: { format: ExportCommandFormats[K]; label: string; ext: string | null }[]): MenuItemConstructorOptions {
  const batch = kind === 'export-batch';
  return { label, submenu: formats.map((f) => ({
    label: `${f.label}…`,
    click: async () => {
      const p = await chooseExportTarget(ctx, batch ? `${f.label} of every batch recording` : f.label, batch ? null : f.ext, f.format, batch);
      // kind and format agree through K; TypeScript does not narrow a generic K to the union's member.
      if (p) ctx.send({ kind, format: f.format, path: p } as ExportCommand);
    },
  })) };
}

export function installMenu(ctx: MenuContext): void {
  const recentItems: MenuItemConstructorOptions[] = ctx.recent.list().map((p) => ({ label: p, click: () => openPath(ctx, p) }));
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => void openRecording(ctx) },
        { label: 'Open Recent', submenu: recentItems.length ? [...recentItems, { type: 'separator' }, { label: 'Clear Recent', click: () => { ctx.recent.clear(); installMenu(ctx); } }] : [{ label: 'No recent files', enabled: false }] },
        { label: 'Open Demo', submenu: [
          { label: 'Spike sorting demo', click: () => ctx.send({ kind: 'open-demo', demo: 'spikes' }) },
          { label: 'EEG-fMRI demo', click: () => ctx.send({ kind: 'open-demo', demo: 'eeg' }) },
        ] },
        { type: 'separator' },
        exportSubmenu(ctx, 'Export Sorted Units', 'export-sorted', SORTED_FORMATS),
        exportSubmenu(ctx, 'Export Corrected Recording', 'export-corrected', CORRECTED_FORMATS),
        exportSubmenu(ctx, 'Export Time-Frequency', 'export-tf', TF_FORMATS),
        { type: 'separator' },
        { label: 'Add to Batch…', click: () => void addToBatch(ctx) },
        { label: 'Batch Output Folder…', click: () => void chooseBatchOut(ctx) },
        exportSubmenu(ctx, 'Export All Batch Units', 'export-batch', SORTED_FORMATS),
        { label: 'Reveal Session Folder', click: async () => { const d = (await ctx.session().catch(() => null))?.sessionDir; if (d) void shell.openPath(d); } },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        // Curation undo/redo; text fields keep their own undo through the renderer's key handling.
        { label: 'Undo Curation', accelerator: 'CmdOrCtrl+Z', click: () => ctx.send({ kind: 'undo' }) },
        { label: 'Redo Curation', accelerator: 'CmdOrCtrl+Shift+Z', click: () => ctx.send({ kind: 'redo' }) },
        // The page's key handler owns Alt+R; the menu only shows it (registering it too would run the rule twice).
        { label: 'Label Unsorted Units by Quality Rule', accelerator: 'Alt+R', registerAccelerator: false, click: () => ctx.send({ kind: 'apply-rule' }) },
        // As Alt+R: the page's key handler owns Ctrl+Enter (it works from a parameter field too).
        { label: 'Run Shown Tab\'s Workflow', accelerator: 'CmdOrCtrl+Enter', registerAccelerator: false, click: () => ctx.send({ kind: 'run' }) },
        { type: 'separator' },
        { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...VIEWS.map((v) => ({ label: v.label, click: () => ctx.send({ kind: 'view', view: v.view }) })),
        { type: 'separator' },
        { label: 'Light Theme', click: () => ctx.send({ kind: 'theme', theme: 'light' }) },
        { label: 'Dark Theme', click: () => ctx.send({ kind: 'theme', theme: 'dark' }) },
        { type: 'separator' },
        // Reload and DevTools only in development builds.
        ...viewRoles(app.isPackaged).map((role) => ({ role })),
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: 'Shift+/', click: () => ctx.send({ kind: 'shortcuts' }) },
        { label: `About SpikeDesk ${app.getVersion()}`, click: () => ctx.send({ kind: 'about' }) },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

export function menuMessage(cmd: MenuCommand): MenuMessage {
  return { spikedeskMenu: cmd };
}
