// Small helpers for writing HDF5 with h5wasm (node build, host file system): groups created one
// level at a time (h5wasm does not create intermediate groups), typed attributes, and stable
// UUIDs for NWB object_id attributes derived from a seed instead of a random generator, so the
// same export twice gives the same ids.

import { createHash } from 'node:crypto';
import type * as H5 from 'h5wasm/node';
import { writeFailed } from '../io/atomic';
import { isGroup, loadH5 } from '../io/hdf5/h5';

export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

/** Open (mode 'w' creates/truncates, 'a' edits) and map HDF5 errors to SpikeDeskErrors for `file`. */
export async function openForWrite(file: string, mode: 'w' | 'a'): Promise<H5.File> {
  const h5 = await loadH5();
  try {
    return new h5.File(file, mode);
  } catch (e) {
    // Creating or reopening our own output: a failure is a write failure, never a damaged input.
    throw writeFailed(file, e, mode === 'w' ? 'create the HDF5 file' : 'reopen the HDF5 copy for writing');
  }
}

export function has(g: H5.Group, name: string): boolean {
  return g.keys().includes(name);
}

/** The group at an absolute path, created level by level where missing. */
export function ensureGroup(f: H5.File, p: string): H5.Group {
  let cur: H5.Group = f;
  let at = '';
  for (const part of p.split('/').filter(Boolean)) {
    at += `/${part}`;
    const next = has(cur, part) ? f.get(at) : cur.create_group(part);
    if (!isGroup(next)) throw new Error(`${at} exists and is not a group`);
    cur = next;
  }
  return cur;
}

/** A UUID-4-shaped id from a seed (sha256), for NWB object_id attributes. */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const v = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${v}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type AttrValue = string | number | string[] | { f32: number } | H5.Reference;

export function setAttrs(o: H5.Group | H5.Dataset, attrs: Record<string, AttrValue>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'object' && !Array.isArray(v) && 'f32' in v) o.create_attribute(k, v.f32, null, '<f4');
    else o.create_attribute(k, v as H5.GuessableDataTypes);
  }
}

/** Mark an HDF5 object as an NWB/HDMF type (neurodata_type, namespace, object_id). */
export function typed(o: H5.Group | H5.Dataset, type: string, namespace: 'core' | 'hdmf-common', seed: string,
  extra: Record<string, AttrValue> = {}): void {
  setAttrs(o, { namespace, neurodata_type: type, object_id: uuidFrom(`${seed}|${o.path}`), ...extra });
}

/** A 1-D (or shaped) dataset; strings become variable-length UTF-8. */
export function dataset(g: H5.Group, name: string, data: H5.GuessableDataTypes, shape?: number[], dtype?: string): H5.Dataset {
  return g.create_dataset({ name, data, shape: shape ?? null, dtype: dtype ?? null });
}
