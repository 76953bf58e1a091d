// Sort store: the units of the latest sort with the curation applied, the selection, and the
// curation actions (each one journaled by main before it applies; the store then refetches the
// overview and reports what changed).
import { create } from 'zustand';
import type { CarryReport, RestoreReport, SimilarUnit, SortOverview, SortVersionInfo } from '../../shared/api';
import type { ClusterId, CurationAction, Label, LassoPolygon, UpdateInfo } from '../../shared/curation';
import { backend, errorText, type ErrorText } from '../api/client';
import { ruleLabels } from '../../shared/quality-rule';

export interface SortState {
  overview: SortOverview | null;
  loading: boolean;
  error: ErrorText | null;
  /** Selected clusters, in click order (first = primary). */
  selected: ClusterId[];
  /** Channel shown in the cluster view. */
  channel: number | null;
  last: UpdateInfo | null;
  /** Bumped after every change of the clusters (views refetch features and unit stats). */
  version: number;
  busy: boolean;
  /** Kept versions of the curated sort (the versions dialog is open while this is not null). */
  versions: SortVersionInfo[] | null;
  /** The last version reopened (and what the result shown before was kept as). */
  restored: RestoreReport | null;
  /** Labels applied from a version to the current sort. */
  applied: CarryReport | null;
  /** The other units of the first selected unit's channel, most similar first (merge candidates). */
  similar: { of: ClusterId; version: number; units: SimilarUnit[] } | null;
  refresh(): Promise<void>;
  /** Fetch the units similar to the first selected one (a no-op when they are shown already). */
  loadSimilar(): Promise<void>;
  /** Select the first unit with the next (step 1) or previous (-1) of its similar units, to compare them. */
  compareSimilar(step: 1 | -1): void;
  openVersions(): Promise<void>;
  closeVersions(): void;
  /** Reopen a kept version (the result shown now is kept first). */
  restoreVersion(name: string): Promise<void>;
  /** Apply a kept version's labels to the matching units of the current sort (journaled, undoable). */
  applyVersionLabels(name: string): Promise<void>;
  select(id: ClusterId, additive: boolean): void;
  setSelection(ids: ClusterId[]): void;
  setChannel(c: number): void;
  act(action: CurationAction): Promise<UpdateInfo | null>;
  merge(): Promise<void>;
  label(l: Label): Promise<void>;
  deleteNoise(): Promise<void>;
  /** Label every unsorted unit good or mua by the quality rule (shared/quality-rule.ts), as one undoable step. */
  applyRule(): Promise<void>;
  lassoSplit(lasso: LassoPolygon): Promise<void>;
  recluster(k: number): Promise<void>;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

function channelOf(o: SortOverview | null, id: ClusterId | undefined): number | null {
  return o?.clusters.find((c) => c.id === id)?.channel ?? null;
}

export const useSort = create<SortState>((set, get) => {
  const after = async (u: UpdateInfo | null): Promise<void> => {
    await get().refresh();
    if (!u) return;
    const alive = new Set(get().overview?.clusters.map((c) => c.id));
    // After a merge or split the new clusters are selected (as in phy); an undo brings back the selection it had.
    const sel = (u.history === 'undo' ? u.undoState.selection : u.added).filter((id) => alive.has(id));
    set((s) => ({ last: u, selected: sel.length ? sel : s.selected.filter((id) => alive.has(id)), version: s.version + 1 }));
    const ch = channelOf(get().overview, get().selected[0]);
    if (ch !== null) set({ channel: ch });
  };
  return {
    overview: null,
    loading: false,
    error: null,
    selected: [],
    channel: null,
    last: null,
    version: 0,
    busy: false,
    versions: null,
    restored: null,
    applied: null,
    similar: null,
    async loadSimilar() {
      const { selected, version, similar } = get();
      const of = selected[0];
      if (of === undefined) { if (similar) set({ similar: null }); return; }
      if (similar?.of === of && similar.version === version) return;
      try {
        const { api } = await backend();
        const units = await api.getSimilarUnits(of);
        // Only if the selection and the clusters did not change meanwhile.
        if (get().selected[0] === of && get().version === version) set({ similar: { of, version, units } });
      } catch (e) {
        set({ error: errorText(e) });
      }
    },
    compareSimilar(step) {
      const { selected, similar } = get();
      const of = selected[0];
      if (of === undefined || similar?.of !== of || !similar.units.length) return;
      const ids = similar.units.map((u) => u.id);
      const at = ids.indexOf(selected[1]);
      const next = at < 0 ? (step > 0 ? 0 : ids.length - 1) : (at + step + ids.length) % ids.length;
      set({ selected: [of, ids[next]] });
    },
    async openVersions() {
      try {
        const { api } = await backend();
        set({ versions: await api.listSortVersions(), error: null });
      } catch (e) {
        set({ error: errorText(e) });
      }
    },
    closeVersions() { set({ versions: null }); },
    async restoreVersion(name) {
      if (get().busy) return;
      set({ busy: true, error: null });
      try {
        const { api } = await backend();
        const restored = await api.restoreSortVersion(name);
        // A new run id: selection and views start afresh. The notice comes with the reopened units,
        // never over the units of the result it replaced.
        await get().refresh();
        set({ restored, applied: null, versions: null });
      } catch (e) {
        set({ error: errorText(e) });
      } finally {
        set({ busy: false });
      }
    },
    async applyVersionLabels(name) {
      if (get().busy) return;
      set({ busy: true, error: null });
      try {
        const { api } = await backend();
        const applied = await api.carryLabels(name);
        // As with a restore: the notice comes with the relabelled units, not over the old labels.
        await after(applied.update);
        set({ applied, restored: null, versions: null });
      } catch (e) {
        set({ error: errorText(e) });
      } finally {
        set({ busy: false });
      }
    },
    async refresh() {
      set({ loading: true });
      try {
        const { api } = await backend();
        const overview = await api.getSortOverview();
        const alive = new Set(overview?.clusters.map((c) => c.id));
        if (overview?.runId !== get().overview?.runId) {
          // A new sort result: ids restart, so nothing selected, shown or undoable from the old one survives.
          set((s) => ({
            overview, loading: false, error: null, selected: [], last: null, version: s.version + 1, channel: overview?.channels[0] ?? null,
            // A notice about a reopened version or applied labels belongs to the result it was about.
            restored: s.restored && s.restored.restored.runId === overview?.runId ? s.restored : null, applied: null,
          }));
          return;
        }
        set((s) => ({
          overview, loading: false, error: null,
          selected: s.selected.filter((id) => alive.has(id)),
          channel: s.channel !== null && overview?.channels.includes(s.channel) ? s.channel : overview?.channels[0] ?? null,
        }));
      } catch (e) {
        set({ loading: false, error: errorText(e) });
      }
    },
    select(id, additive) {
      const { selected, overview } = get();
      const next = additive ? (selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]) : [id];
      const ch = channelOf(overview, next[0]);
      set({ selected: next, ...(ch !== null ? { channel: ch } : {}) });
    },
    setSelection(ids) { set({ selected: ids }); },
    setChannel(channel) { set({ channel, selected: get().selected.filter((id) => channelOf(get().overview, id) === channel) }); },
    async act(action) {
      if (get().busy) return null;
      set({ busy: true, error: null });
      try {
        const { api } = await backend();
        const sel = get().selected;
        // No argument rather than an undefined one (JSON drops undefined; the host refuses a value-less argument).
        const u = await (sel.length ? api.curate(action, sel) : api.curate(action));
        await after(u);
        return u;
      } catch (e) {
        set({ error: errorText(e) });
        return null;
      } finally {
        set({ busy: false });
      }
    },
    async merge() {
      const ids = get().selected;
      if (ids.length < 2) { set({ error: { message: 'select two or more clusters to merge', fix: 'Ctrl+click rows of the units table' } }); return; }
      await get().act({ kind: 'merge', ids });
    },
    async label(l) {
      const ids = get().selected;
      if (!ids.length) { set({ error: { message: 'select clusters to label' } }); return; }
      await get().act({ kind: 'label', ids, label: l });
    },
    async deleteNoise() {
      const ids = get().selected;
      if (!ids.length) { set({ error: { message: 'select clusters to delete as noise' } }); return; }
      await get().act({ kind: 'delete-as-noise', ids });
    },
    async applyRule() {
      const labels = ruleLabels(get().overview?.clusters ?? []);
      if (!labels.length) { set({ error: { message: 'every unit already has a label', fix: 'the rule labels only unsorted units; label a unit "unsorted" to have the rule judge it again' } }); return; }
      await get().act({ kind: 'labels', labels });
    },
    async lassoSplit(lasso) {
      const ids = get().selected;
      if (ids.length !== 1) { set({ error: { message: 'select exactly one cluster before drawing a lasso', fix: 'click one row of the units table' } }); return; }
      await get().act({ kind: 'split', id: ids[0], lasso });
    },
    async recluster(k) {
      const ids = get().selected;
      if (ids.length !== 1) { set({ error: { message: 'select exactly one cluster to re-cluster' } }); return; }
      await get().act({ kind: 'recluster', id: ids[0], k });
    },
    async undo() {
      if (get().busy) return;
      set({ busy: true, error: null });
      try { const { api } = await backend(); await after(await api.undo()); } catch (e) { set({ error: errorText(e) }); } finally { set({ busy: false }); }
    },
    async redo() {
      if (get().busy) return;
      set({ busy: true, error: null });
      try { const { api } = await backend(); await after(await api.redo()); } catch (e) { set({ error: errorText(e) }); } finally { set({ busy: false }); }
    },
  };
});

/** Stable colour of a cluster id (the same in the table, scatter, traces and unit views). */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f',
  '#3366cc', '#dc3912', '#109618', '#990099', '#0099c6', '#dd4477'];
export function clusterColor(id: number): string {
  return id < 0 ? '#9aa0a6' : PALETTE[id % PALETTE.length];
}
