// Global keyboard shortcuts (listed in the help overlay): one handler, ignored while typing.
import { useRecording } from '../stores/recording';
import { useSort } from '../stores/sort';
import { useUi } from '../stores/ui';
import { tabOfKey } from './shortcuts';

function typing(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  // A checkbox takes no typed keys (Space toggles it): the shortcuts still work after a click on one.
  const text = el?.tagName === 'INPUT' && (el as HTMLInputElement).type !== 'checkbox';
  return !!el && (text || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function onKey(e: KeyboardEvent): void {
  // Run works from a parameter field too: change a value, run.
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter' && !e.repeat) {
    useUi.getState().requestRun();
    e.preventDefault();
    return;
  }
  if (typing(e.target)) return;
  const ui = useUi.getState();
  const rec = useRecording.getState();
  const sort = useSort.getState();
  const ctrl = e.ctrlKey || e.metaKey;
  const k = e.key;
  const tab = tabOfKey(k);
  let done = true;
  if (k === '?') ui.setHelp(!ui.help);
  else if (k === 'Escape') ui.setHelp(false);
  else if (ctrl && !e.shiftKey && k.toLowerCase() === 'z') void sort.undo();
  else if (ctrl && ((e.shiftKey && k.toLowerCase() === 'z') || k.toLowerCase() === 'y')) void sort.redo();
  else if (ctrl) done = false;
  else if (e.altKey && k.toLowerCase() === 'g' || e.altKey && e.code === 'KeyG') void sort.label('good');
  else if (e.altKey && e.code === 'KeyM') void sort.label('mua');
  else if (e.altKey && e.code === 'KeyN') void sort.label('noise');
  else if (e.altKey && e.code === 'KeyR') void sort.applyRule();
  else if (tab) ui.setTab(tab);
  else if (k.toLowerCase() === 't') ui.setTheme(ui.theme === 'dark' ? 'light' : 'dark');
  else if (k === 'ArrowLeft') rec.setWindow(rec.startS - rec.spanS / 2, rec.spanS);
  else if (k === 'ArrowRight') rec.setWindow(rec.startS + rec.spanS / 2, rec.spanS);
  else if (k === '+' || k === '=') rec.setWindow(rec.startS + rec.spanS / 4, rec.spanS / 2);
  else if (k === '-') rec.setWindow(rec.startS - rec.spanS / 2, rec.spanS * 2);
  else if (e.shiftKey && k === 'ArrowUp') rec.setGain(rec.gain * 1.5);
  else if (e.shiftKey && k === 'ArrowDown') rec.setGain(rec.gain / 1.5);
  else if ((k === 'ArrowUp' || k === 'ArrowDown') && sort.overview) {
    const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="unit-row"]')].map((r) => Number(r.dataset.id));
    if (!rows.length) return;
    const i = rows.indexOf(sort.selected[0]);
    const j = i < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, i + (k === 'ArrowDown' ? 1 : -1)));
    sort.select(rows[j], false);
  } else if (k.toLowerCase() === 'g') void sort.merge();
  else if (e.code === 'KeyN') sort.compareSimilar(e.shiftKey ? -1 : 1);
  else if (k === 'Delete' || k === 'Backspace') void sort.deleteNoise();
  else done = false;
  if (done) e.preventDefault();
}
