// The web UI's menu bar: the same File / Edit / View / Help actions as Electron's application
// menu (src/main/electron/menu.ts), for the browser host.
import { useEffect, useRef, useState } from 'react';
import { CORRECTED_FORMATS, SORTED_FORMATS, TF_FORMATS, VIEWS, type MenuCommand } from '../../shared/menu';
import { useMenu, type ExportKind } from '../stores/menu';
import { hint, keyOf } from '../lib/shortcuts';

type Item = { label: string; testId: string; run: () => void; disabled?: boolean } | { header: string } | 'sep';

function useMenus(): [string, Item[]][] {
  const { session, run, startExport } = useMenu();
  const cmd = (c: MenuCommand) => () => void run(c);
  const exp = (k: ExportKind) => () => void startExport(k);
  const recent = session?.recent ?? [];
  return [
    ['File', [
      { label: 'Open…', testId: 'menu-open', run: () => document.querySelector<HTMLInputElement>('[data-testid="open-path"]')?.focus() },
      { header: 'Open Recent' },
      ...(recent.length ? recent.slice(0, 8).map((p, i): Item => ({ label: p, testId: `menu-recent-${i}`, run: cmd({ kind: 'open', path: p }) })) : [{ label: 'No recent files', testId: 'menu-recent-none', run: () => undefined, disabled: true }]),
      { header: 'Open Demo' },
      { label: 'Spike sorting demo', testId: 'menu-demo-spikes', run: cmd({ kind: 'open-demo', demo: 'spikes' }) },
      { label: 'EEG-fMRI demo', testId: 'menu-demo-eeg', run: cmd({ kind: 'open-demo', demo: 'eeg' }) },
      'sep',
      { header: 'Export Sorted Units' },
      ...SORTED_FORMATS.map((f): Item => ({ label: `${f.label}…`, testId: `menu-export-${f.format}`, run: exp({ what: 'sorted', format: f.format }) })),
      { header: 'Export Corrected Recording' },
      ...CORRECTED_FORMATS.map((f): Item => ({ label: `${f.label}…`, testId: `menu-export-${f.format}`, run: exp({ what: 'corrected', format: f.format }) })),
      { header: 'Export Time-Frequency' },
      ...TF_FORMATS.map((f): Item => ({ label: `${f.label}…`, testId: `menu-export-${f.format}`, run: exp({ what: 'tf', format: f.format }) })),
      { header: 'Export All Batch Units' },
      ...SORTED_FORMATS.map((f): Item => ({ label: `${f.label}…`, testId: `menu-export-batch-${f.format}`, run: exp({ what: 'batch', format: f.format }) })),
      'sep',
      { label: 'Reveal Session Folder', testId: 'menu-reveal', run: cmd({ kind: 'reveal-session' }) },
    ]],
    ['Edit', [
      { label: hint('Undo curation', 'undo'), testId: 'menu-undo', run: cmd({ kind: 'undo' }) },
      { label: hint('Redo curation', 'redo'), testId: 'menu-redo', run: cmd({ kind: 'redo' }) },
      { label: hint('Label unsorted units by the quality rule', 'rule'), testId: 'menu-apply-rule', run: cmd({ kind: 'apply-rule' }) },
      'sep',
      { label: hint('Run the shown tab\'s workflow', 'run'), testId: 'menu-run', run: cmd({ kind: 'run' }) },
    ]],
    ['View', [
      ...VIEWS.map((v, i): Item => ({ label: `${v.label} (${keyOf('tabs', i)})`, testId: `menu-view-${v.view}`, run: cmd({ kind: 'view', view: v.view }) })),
      'sep',
      { label: 'Light theme', testId: 'menu-theme-light', run: cmd({ kind: 'theme', theme: 'light' }) },
      { label: 'Dark theme', testId: 'menu-theme-dark', run: cmd({ kind: 'theme', theme: 'dark' }) },
    ]],
    ['Help', [
      { label: hint('Keyboard shortcuts', 'help'), testId: 'menu-shortcuts', run: cmd({ kind: 'shortcuts' }) },
      { label: 'About SpikeDesk', testId: 'menu-about', run: cmd({ kind: 'about' }) },
    ]],
  ];
}

export function MenuBar() {
  const [open, setOpen] = useState<string | null>(null);
  const ref = useRef<HTMLElement>(null);
  const menus = useMenus();
  const refresh = useMenu((s) => s.refresh);
  useEffect(() => {
    const close = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setOpen(null); };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, []);
  return (
    <nav className="menubar" ref={ref} role="menubar" aria-label="Application menu">
      {menus.map(([name, items]) => (
        <div key={name} className="menu">
          <button role="menuitem" aria-haspopup="true" aria-expanded={open === name} data-testid={`menu-${name.toLowerCase()}`}
            onClick={() => {
              if (open === name) { setOpen(null); return; }
              // Open once the session (recent files) is fresh: opening first and refreshing after
              // would grow the Open Recent list under the pointer and shift every item below it.
              void refresh().finally(() => setOpen(name));
            }}
            onMouseEnter={() => { if (open && open !== name) setOpen(name); }}>{name}</button>
          {open === name && (
            <ul className="menu-list" role="menu">
              {items.map((it, i) => it === 'sep' ? <li key={i} className="menu-sep" role="separator" />
                : 'header' in it ? <li key={i} className="menu-header">{it.header}</li>
                  : (
                    <li key={i}>
                      <button role="menuitem" disabled={it.disabled} data-testid={it.testId} title={it.label}
                        onClick={() => { setOpen(null); it.run(); }}>{it.label}</button>
                    </li>
                  ))}
            </ul>
          )}
        </div>
      ))}
    </nav>
  );
}
