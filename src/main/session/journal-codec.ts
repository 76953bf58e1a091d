// JSON form of curation history records for the journal. Spike index lists are stored as base64
// delta-varints (sorted indices inside one cluster have small gaps, so a 100k-spike split costs
// ~150 KB instead of ~700 KB of decimal text); sub-labels as base64 bytes. Decoding checks shapes
// so a damaged line is reported instead of crashing the model.

import type { HistoryEntry, HistoryRecord } from './curation-entries';
import { isLabel, type Label } from '../../shared/curation';

/** Sorted unique non-negative integers -> base64 of LEB128 varints of the gaps. */
export function encodeSortedIndices(x: Int32Array): string {
  const bytes = new Uint8Array(x.length * 5);
  let n = 0, prev = 0;
  for (let i = 0; i < x.length; i++) {
    let v = i === 0 ? x[0] : x[i] - prev;
    prev = x[i];
    while (v >= 0x80) { bytes[n++] = (v & 0x7f) | 0x80; v >>>= 7; }
    bytes[n++] = v;
  }
  return Buffer.from(bytes.buffer, 0, n).toString('base64');
}

export function decodeSortedIndices(s: string): Int32Array {
  const bytes = Buffer.from(s, 'base64');
  let count = 0;
  for (const b of bytes) if (b < 0x80) count++;
  const out = new Int32Array(count);
  let k = 0, v = 0, shift = 0, prev = 0;
  for (const b of bytes) {
    v += (b & 0x7f) * 2 ** shift;
    if (b & 0x80) { shift += 7; if (shift > 28) throw new Error('varint too long'); continue; }
    prev = k === 0 ? v : prev + v;
    if (k > 0 && v === 0) throw new Error('indices are not strictly increasing');
    if (prev >= 2 ** 31) throw new Error('index overflow');
    out[k++] = prev; v = 0; shift = 0;
  }
  if (shift !== 0) throw new Error('truncated varint');
  return out;
}

export function encodeRecord(r: HistoryRecord): unknown {
  if (r.type !== 'do') return { type: r.type };
  const e = r.entry;
  const sel = e.selection ? { selection: e.selection } : {};
  switch (e.kind) {
    case 'merge': return { type: 'do', entry: { kind: 'merge', ids: e.ids, newId: e.newId, ...sel } };
    case 'split': return {
      type: 'do', entry: { kind: 'split', id: e.id, newIds: e.newIds, spikes: encodeSortedIndices(e.spikes), ...(e.lasso ? { lasso: e.lasso } : {}), ...sel },
    };
    case 'recluster': return {
      type: 'do', entry: { kind: 'recluster', id: e.id, k: e.k, newIds: e.newIds, subLabels: Buffer.from(Uint8Array.from(e.subLabels)).toString('base64'), ...sel },
    };
    case 'label': return { type: 'do', entry: { kind: 'label', ids: e.ids, label: e.label, asNoise: e.asNoise, ...sel } };
    case 'labels': return { type: 'do', entry: { kind: 'labels', labels: e.labels.map(({ id, label }) => [id, label]), ...sel } };
  }
}

const isInt = (x: unknown): x is number => Number.isInteger(x);
const isIds = (x: unknown): x is number[] => Array.isArray(x) && x.every(isInt);

function fail(what: string): never {
  throw new Error(what);
}

/** Parse one record; throws a plain Error describing what is malformed. */
export function decodeRecord(o: any): HistoryRecord {
  if (o?.type === 'undo' || o?.type === 'redo') return { type: o.type };
  if (o?.type !== 'do' || typeof o.entry !== 'object' || o.entry === null) fail('unknown record type');
  const e = o.entry;
  if (e.selection !== undefined && !isIds(e.selection)) fail('bad selection');
  const sel = e.selection ? { selection: e.selection as number[] } : {};
  let entry: HistoryEntry;
  switch (e.kind) {
    case 'merge':
      if (!isIds(e.ids) || !isInt(e.newId)) fail('bad merge');
      entry = { kind: 'merge', ids: e.ids, newId: e.newId, ...sel };
      break;
    case 'split': {
      if (!isInt(e.id) || !isIds(e.newIds) || e.newIds.length !== 2 || typeof e.spikes !== 'string') fail('bad split');
      const lasso = e.lasso;
      if (lasso !== undefined && !(Array.isArray(lasso.dims) && Array.isArray(lasso.polygon))) fail('bad lasso');
      entry = { kind: 'split', id: e.id, newIds: [e.newIds[0], e.newIds[1]], spikes: decodeSortedIndices(e.spikes), ...(lasso ? { lasso } : {}), ...sel };
      break;
    }
    case 'recluster':
      if (!isInt(e.id) || !isInt(e.k) || !isIds(e.newIds) || typeof e.subLabels !== 'string') fail('bad recluster');
      entry = { kind: 'recluster', id: e.id, k: e.k, newIds: e.newIds, subLabels: Int32Array.from(Buffer.from(e.subLabels, 'base64')), ...sel };
      break;
    case 'label':
      if (!isIds(e.ids) || !isLabel(e.label) || typeof e.asNoise !== 'boolean') fail('bad label');
      entry = { kind: 'label', ids: e.ids, label: e.label, asNoise: e.asNoise, ...sel };
      break;
    case 'labels':
      if (!Array.isArray(e.labels) || !e.labels.every((x: unknown) => Array.isArray(x) && x.length === 2 && isInt(x[0]) && isLabel(x[1]))) fail('bad labels');
      entry = { kind: 'labels', labels: (e.labels as [number, Label][]).map(([id, label]) => ({ id, label })), ...sel };
      break;
    default:
      fail(`unknown action ${String(e.kind)}`);
  }
  return { type: 'do', entry };
}
