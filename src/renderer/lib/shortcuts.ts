// The keyboard shortcuts, declared once: the key handler (keys.ts), the help overlay and every
// tooltip take their key names from here, so a hint can never contradict what a key does.
import { VIEWS, type View } from '../../shared/menu';

export const SHORTCUTS = {
  help: { keys: '?', what: 'show / hide this help' },
  tabs: { keys: VIEWS.map((_, i) => String(i + 1)).join(' / '), what: `tabs: ${VIEWS.map((v) => v.label.toLowerCase()).join(', ')}` },
  pan: { keys: '← / →', what: 'pan the traces by half a window (or drag)' },
  zoom: { keys: '+ / -', what: 'zoom the traces in / out (or the mouse wheel)' },
  gain: { keys: 'Shift+↑ / Shift+↓', what: 'trace gain up / down' },
  rows: { keys: '↑ / ↓', what: 'select the previous / next unit in the table' },
  addSelect: { keys: 'Ctrl+click', what: 'add a unit to the selection (for merge and cross-correlograms)' },
  similar: { keys: 'N / Shift+N', what: 'compare the first selected unit with the next / previous most similar unit of its channel' },
  merge: { keys: 'G', what: 'merge the selected units' },
  delete: { keys: 'Delete', what: 'delete the selected units as noise' },
  good: { keys: 'Alt+G', what: 'label the selection good' },
  mua: { keys: 'Alt+M', what: 'label the selection mua' },
  noise: { keys: 'Alt+N', what: 'label the selection noise' },
  rule: { keys: 'Alt+R', what: 'label every unsorted unit good or mua by the quality rule' },
  undo: { keys: 'Ctrl+Z', what: 'undo the last curation action' },
  redo: { keys: 'Ctrl+Shift+Z', what: 'redo (also Ctrl+Y)' },
  lasso: { keys: 'lasso (scatter)', what: 'split the selected unit: every spike inside the polygon in feature space' },
  run: { keys: 'Ctrl+Enter', what: 'run: the sorting or correction of the side panel, the spectrogram on the time–frequency tab (also from a parameter field)' },
  theme: { keys: 'T', what: 'toggle light / dark theme' },
} as const;

export type ShortcutId = keyof typeof SHORTCUTS;

/** "Label good (Alt+G)": a tooltip with the key that does the same. */
export function hint(text: string, id: ShortcutId): string {
  return `${text} (${SHORTCUTS[id].keys})`;
}

/** One key of a pair ("← / →" -> "←" for index 0). */
export function keyOf(id: ShortcutId, index: number): string {
  return SHORTCUTS[id].keys.split(' / ')[index] ?? SHORTCUTS[id].keys;
}

/** The tab a number key opens ("1" -> the first of VIEWS), or null. */
export function tabOfKey(key: string): View | null {
  return /^[1-9]$/.test(key) ? VIEWS[Number(key) - 1]?.view ?? null : null;
}
