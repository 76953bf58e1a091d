// Curation DTOs shared by the renderer and main: cluster ids, labels, the actions a user can take
// and the UpdateInfo every action returns so that views can update incrementally (phy's model).

/** Cluster ids are globally unique across channels and never reused once created. */
export type ClusterId = number;

export type Label = 'good' | 'mua' | 'noise' | 'unsorted';

export const LABELS: readonly Label[] = ['good', 'mua', 'noise', 'unsorted'];

export function isLabel(x: unknown): x is Label {
  return typeof x === 'string' && (LABELS as readonly string[]).includes(x);
}

/** A lasso drawn on a scatter of two feature dimensions (columns of the channel's feature matrix). */
export interface LassoPolygon {
  dims: [number, number];
  /** Vertices in feature units; the polygon is closed implicitly. */
  polygon: [number, number][];
}

/**
 * What the user asks for. Spike indices are local to the cluster's channel (row numbers of that
 * channel's spike times / feature matrix), so they match what the views already hold.
 */
export type CurationAction =
  | { kind: 'merge'; ids: ClusterId[] }
  | { kind: 'split'; id: ClusterId; spikeIndices: Int32Array | number[] }
  | { kind: 'split'; id: ClusterId; lasso: LassoPolygon }
  | { kind: 'label'; ids: ClusterId[]; label: Label }
  /** Several labels in one undoable step (a quality rule's verdicts, labels carried from a version). */
  | { kind: 'labels'; labels: { id: ClusterId; label: Label }[] }
  | { kind: 'delete-as-noise'; ids: ClusterId[] }
  /** Split into (at most) k parts; the sub-labels are computed by a clustering worker. */
  | { kind: 'recluster'; id: ClusterId; k: number };

export type CurationActionKind = CurationAction['kind'];

export interface ClusterSummary {
  id: ClusterId;
  channel: number;
  nSpikes: number;
  label: Label;
}

export interface UndoState {
  canUndo: boolean;
  canRedo: boolean;
  /** Clusters a view should select after this update (the new clusters, or on undo the selection before the action). */
  selection: ClusterId[];
}

/** What changed, in the spirit of phy's UpdateInfo. */
export interface UpdateInfo {
  action: CurationActionKind;
  history: 'do' | 'undo' | 'redo';
  /** One line for a status bar, e.g. "merge 3, 4 -> 10". */
  description: string;
  added: ClusterId[];
  deleted: ClusterId[];
  /** [old, new] pairs: spikes of old now belong to new. */
  descendants: [ClusterId, ClusterId][];
  /** Clusters whose label changed without a change of spikes. */
  metadataChanged: ClusterId[];
  /** Current summaries of every added or metadata-changed cluster. */
  clusters: ClusterSummary[];
  undoState: UndoState;
}
