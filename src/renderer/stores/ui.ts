// UI store: theme (persisted), the active results tab, the help overlay and a one-line status
// (what the last curation action did, "Preparing demo..." progress).
import { useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { View } from '../../shared/menu';

export type Tab = View;

export interface UiState {
  theme: 'light' | 'dark';
  tab: Tab;
  help: boolean;
  status: { message: string; fraction: number | null } | null;
  /** Time cursor (s) shared by the traces and time-frequency views; null = none. */
  cursorS: number | null;
  /** Bumped by the run shortcut: the shown tab's run button (side panel or time–frequency form) acts on it. */
  runRequest: number;
  requestRun(): void;
  setCursor(s: number | null): void;
  setTheme(t: UiState['theme']): void;
  setTab(t: Tab): void;
  setHelp(v: boolean): void;
  setStatus(s: UiState['status']): void;
}

const THEME_KEY = 'spikedesk.theme.v1';

function initialTheme(): UiState['theme'] {
  try {
    const t = localStorage.getItem(THEME_KEY);
    if (t === 'light' || t === 'dark') return t;
  } catch { /* storage unavailable */ }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: UiState['theme']): void {
  document.documentElement.dataset.theme = t;
}

export const useUi = create<UiState>((set) => ({
  theme: initialTheme(),
  tab: 'traces',
  help: false,
  status: null,
  cursorS: null,
  runRequest: 0,
  requestRun() { set((s) => ({ runRequest: s.runRequest + 1 })); },
  setCursor(cursorS) { set({ cursorS }); },
  setTheme(theme) {
    try { localStorage.setItem(THEME_KEY, theme); } catch { /* not persisted */ }
    applyTheme(theme);
    set({ theme });
  },
  setTab(tab) { set({ tab }); },
  setHelp(help) { set({ help }); },
  setStatus(status) { set({ status }); },
}));

/** Calls `run` on each run request (Ctrl+Enter, Edit > Run) made while the calling view is shown. */
export function useRunRequest(run: () => void): void {
  const request = useUi((s) => s.runRequest);
  const seen = useRef(request);
  useEffect(() => {
    if (request === seen.current) return;
    seen.current = request;
    run();
  }, [request]);
}
