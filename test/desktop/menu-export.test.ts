// The File menu's four export submenus (src/main/electron/menu.ts) with the electron module
// replaced by recorders: each item's label, the save dialog it opens (with the focused window:
// title, default path, filters; without one the same), what the chosen path adds to
// the allow-list and the command sent to the renderer. The desktop scenario (scenario.desktop.ts)
// clicks one of these items on the built app; this pins all of them.
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionInfo } from '../../src/shared/api';
import type { MenuCommand } from '../../src/shared/menu';

interface Item { label?: string; submenu?: Item[]; click?: () => unknown }

const h = vi.hoisted(() => ({
  window: { id: 1 } as object,
  focused: null as object | null,
  template: [] as unknown[],
  dialogs: [] as { window: object | null; options: Record<string, unknown> }[],
  answer: { canceled: true } as { canceled: boolean; filePath?: string },
}));

vi.mock('electron', () => ({
  BrowserWindow: { getFocusedWindow: () => h.focused },
  Menu: { buildFromTemplate: (t: unknown[]) => t, setApplicationMenu: (t: unknown[]) => { h.template = t; } },
  app: { getPath: (name: string) => `/home/u/${name}`, getVersion: () => '0.1.0', isPackaged: true },
  dialog: {
    showSaveDialog: async (...a: unknown[]) => {
      const [window, options] = a.length === 2 ? [a[0] as object, a[1]] : [null, a[0]];
      h.dialogs.push({ window, options: options as Record<string, unknown> });
      return h.answer;
    },
  },
  shell: { openPath: async () => '' },
}));

const { installMenu } = await import('../../src/main/electron/menu');

const SESSION = '/data/rec.spikedesk';
const info: SessionInfo = {
  recording: '/data/rec.dat', sessionDir: SESSION, recent: [],
  defaultExportPaths: { nwb: `${SESSION}/exports/rec-sorted.nwb`, edf: `${SESSION}/exports/rec-corrected.edf`, 'tf-png': `${SESSION}/exports/rec-tf.png` },
};

let sent: MenuCommand[] = [];
let allowed: string[] = [];

function install(session: SessionInfo | null): void {
  installMenu({
    services: { allow: { allowFile: (p: string) => allowed.push(`file ${p}`), allowRoot: (p: string) => allowed.push(`root ${p}`) } } as never,
    recent: { list: () => [] } as never,
    session: async () => { if (!session) throw new Error('no recording open'); return session; },
    send: (c) => sent.push(c),
  });
}

function item(labels: string[]): Item {
  let items = h.template as Item[];
  let found: Item | undefined;
  for (const l of labels) {
    found = items.find((i) => i.label === l);
    if (!found) throw new Error(`no menu item ${labels.join(' > ')}`);
    items = found.submenu ?? [];
  }
  return found!;
}

/** Click File > submenu > label with the save dialog answering `filePath` (or cancelled). */
async function exportVia(submenu: string, label: string, filePath?: string): Promise<{ dialog: Record<string, unknown>; window: object | null }> {
  h.answer = filePath ? { canceled: false, filePath } : { canceled: true };
  const before = h.dialogs.length;
  await item(['File', submenu, label]).click!();
  expect(h.dialogs.length).toBe(before + 1);
  return { dialog: h.dialogs[before].options, window: h.dialogs[before].window };
}

beforeEach(() => {
  sent = [];
  allowed = [];
  h.dialogs.length = 0;
  h.focused = h.window;
});

const SUBMENUS = {
  'Export Sorted Units': ['Phy folder…', 'NWB…', 'blech_clust HDF5…', 'CSV / TSV…'],
  'Export Corrected Recording': ['EDF+…', 'BrainVision…'],
  'Export Time-Frequency': ['NWB (DecompositionSeries)…', 'NumPy folder (power.npy...)…', 'Spectrogram image (PNG)…', 'Spectrogram image (SVG)…'],
  'Export All Batch Units': ['Phy folder…', 'NWB…', 'blech_clust HDF5…', 'CSV / TSV…'],
};

/** submenu, item, the save dialog's options with the focused window, the command sent (without its path). */
const EXPECTED: [string, string, Record<string, unknown>, Omit<MenuCommand & { format: string }, 'path'>][] = [
  ['Export Sorted Units', 'Phy folder…', { title: 'Export Phy folder (a new folder)', defaultPath: `${SESSION}/exports/spikedesk-phy` }, { kind: 'export-sorted', format: 'phy' }],
  ['Export Sorted Units', 'NWB…', { title: 'Export NWB', defaultPath: `${SESSION}/exports/rec-sorted.nwb`, filters: [{ name: 'NWB', extensions: ['nwb'] }] }, { kind: 'export-sorted', format: 'nwb' }],
  ['Export Sorted Units', 'blech_clust HDF5…', { title: 'Export blech_clust HDF5', defaultPath: `${SESSION}/exports/spikedesk-blech`, filters: [{ name: 'blech_clust HDF5', extensions: ['h5'] }] }, { kind: 'export-sorted', format: 'blech' }],
  ['Export Sorted Units', 'CSV / TSV…', { title: 'Export CSV / TSV (a new folder)', defaultPath: `${SESSION}/exports/spikedesk-csv` }, { kind: 'export-sorted', format: 'csv' }],
  ['Export Corrected Recording', 'EDF+…', { title: 'Export EDF+', defaultPath: `${SESSION}/exports/rec-corrected.edf`, filters: [{ name: 'EDF+', extensions: ['edf'] }] }, { kind: 'export-corrected', format: 'edf' }],
  ['Export Corrected Recording', 'BrainVision…', { title: 'Export BrainVision', defaultPath: `${SESSION}/exports/spikedesk-brainvision`, filters: [{ name: 'BrainVision', extensions: ['vhdr'] }] }, { kind: 'export-corrected', format: 'brainvision' }],
  ['Export Time-Frequency', 'NWB (DecompositionSeries)…', { title: 'Export NWB (DecompositionSeries)', defaultPath: `${SESSION}/exports/spikedesk-tf-nwb`, filters: [{ name: 'NWB (DecompositionSeries)', extensions: ['nwb'] }] }, { kind: 'export-tf', format: 'tf-nwb' }],
  ['Export Time-Frequency', 'NumPy folder (power.npy...)…', { title: 'Export NumPy folder (power.npy...) (a new folder)', defaultPath: `${SESSION}/exports/spikedesk-tf-npy` }, { kind: 'export-tf', format: 'tf-npy' }],
  ['Export Time-Frequency', 'Spectrogram image (PNG)…', { title: 'Export Spectrogram image (PNG)', defaultPath: `${SESSION}/exports/rec-tf.png`, filters: [{ name: 'Spectrogram image (PNG)', extensions: ['png'] }] }, { kind: 'export-tf', format: 'tf-png' }],
  ['Export Time-Frequency', 'Spectrogram image (SVG)…', { title: 'Export Spectrogram image (SVG)', defaultPath: `${SESSION}/exports/spikedesk-tf-svg`, filters: [{ name: 'Spectrogram image (SVG)', extensions: ['svg'] }] }, { kind: 'export-tf', format: 'tf-svg' }],
  // A batch export is a folder of exports, one per recording, whatever the format.
  ['Export All Batch Units', 'Phy folder…', { title: 'Export Phy folder of every batch recording (a new folder)', defaultPath: `${SESSION}/exports/batch-phy` }, { kind: 'export-batch', format: 'phy' }],
  ['Export All Batch Units', 'NWB…', { title: 'Export NWB of every batch recording (a new folder)', defaultPath: `${SESSION}/exports/batch-nwb` }, { kind: 'export-batch', format: 'nwb' }],
  ['Export All Batch Units', 'blech_clust HDF5…', { title: 'Export blech_clust HDF5 of every batch recording (a new folder)', defaultPath: `${SESSION}/exports/batch-blech` }, { kind: 'export-batch', format: 'blech' }],
  ['Export All Batch Units', 'CSV / TSV…', { title: 'Export CSV / TSV of every batch recording (a new folder)', defaultPath: `${SESSION}/exports/batch-csv` }, { kind: 'export-batch', format: 'csv' }],
];

describe('File menu export submenus (Electron)', () => {
  it('lists every format of each export in order', () => {
    install(info);
    const file = item(['File']).submenu!;
    for (const [label, items] of Object.entries(SUBMENUS)) {
      expect(file.find((i) => i.label === label)?.submenu?.map((i) => i.label)).toEqual(items);
    }
    expect(EXPECTED.map(([s, l]) => `${s} > ${l}`)).toEqual(Object.entries(SUBMENUS).flatMap(([s, items]) => items.map((l) => `${s} > ${l}`)));
  });

  it.each(EXPECTED)('%s > %s: save dialog, allow-list, command', async (submenu, label, dialog, command) => {
    install(info);
    const target = path.join('/nonexistent-export-root', 'out', label.replace(/\W+/g, '_'));
    const r = await exportVia(submenu, label, target);
    expect(r.window).toBe(h.window);
    expect(r.dialog).toEqual(dialog);
    // The chosen path and the folders of it that do not exist, never a parent that exists.
    expect(allowed).toEqual([`file ${target}`, 'file /nonexistent-export-root/out', 'file /nonexistent-export-root']);
    expect(sent).toEqual([{ ...command, path: target }]);
  });

  it.each(EXPECTED)('%s > %s without a focused window: the same title and filters; cancelled: nothing sent', async (submenu, label, dialog) => {
    install(info);
    h.focused = null;
    const r = await exportVia(submenu, label);
    expect(r.window).toBeNull();
    expect(r.dialog).toEqual(dialog);
    expect(allowed).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('without an open recording the dialogs start in the documents folder', async () => {
    install(null);
    expect((await exportVia('Export Sorted Units', 'NWB…')).dialog.defaultPath).toBe('/home/u/documents/exports/spikedesk-nwb');
    expect((await exportVia('Export All Batch Units', 'CSV / TSV…')).dialog.defaultPath).toBe('/home/u/documents/exports/batch-csv');
  });
});
