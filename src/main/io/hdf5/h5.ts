// h5wasm (node build, direct host-filesystem access) loaded once per process, with HDF5's error
// stack turned into exceptions, which are then mapped to SpikeDeskErrors naming the file.

import type * as H5 from 'h5wasm/node';
import { SpikeDeskError } from '../../../shared/errors';
import { corrupt, ioError, truncated } from '../common/errors';
import { exists } from '../common/file';
import { sidecarPath } from '../common/sidecar';

type H5Lib = typeof H5;
let lib: Promise<H5Lib> | null = null;

export function loadH5(): Promise<H5Lib> {
  lib ??= (async () => {
    // Emscripten mistakes a runtime with a global `navigator` (Electron, Node >= 21) for a browser.
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    // (Emscripten binds console.error at load: its "Aborted(...)" line for a damaged file goes there.
    // The error itself is thrown and reported as a SpikeDeskError naming the file (h5Error).)
    try {
      const h5 = await import('h5wasm/node');
      const Module = await h5.ready;
      Module.activate_throwing_error_handler();
      return h5;
    } finally {
      if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
    }
  })();
  return lib;
}

/** Turn an h5wasm/HDF5 exception into a SpikeDeskError for `file`. */
export function h5Error(e: unknown, file: string, what: string): SpikeDeskError {
  if (e instanceof SpikeDeskError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/truncated file/i.test(msg)) return truncated(file, `The HDF5 file is truncated (${what})`);
  const last = [...msg.matchAll(/minor: ([^\n]+)/g)].pop()?.[1] ?? msg.split('\n')[0];
  return corrupt(file, `The HDF5 file is damaged or not readable (${what}: ${last.trim()})`,
    'Re-create or copy the file again; check it opens in h5py or HDFView.');
}

export async function openH5(file: string): Promise<H5.File> {
  const h5 = await loadH5();
  try {
    return new h5.File(file, 'r');
  } catch (e) {
    throw h5Error(e, file, 'opening');
  }
}

export function isGroup(x: unknown): x is H5.Group {
  return !!x && (x as H5.Group).type === 'Group';
}

export function isDataset(x: unknown): x is H5.Dataset {
  return !!x && (x as H5.Dataset).type === 'Dataset';
}

/**
 * Refuse HDF5 external links that leave the file's folder. HDF5 follows an external link silently
 * while resolving any path through it (and may look for a relative target in the current folder),
 * so every component of `p` is checked, from the root down, before the path is opened.
 */
export function checkLinks(f: H5.File, p: string): void {
  let cur = '';
  for (const part of p.split('/').filter(Boolean)) {
    cur += `/${part}`;
    let ext: { filename?: string } | null;
    // Throws when this component does not exist: then nothing below it can be opened either.
    try { ext = f.get_external_link(cur) as { filename?: string } | null; } catch { return; }
    if (!ext || typeof ext.filename !== 'string') continue;
    const target = sidecarPath(f.filename, ext.filename, `The external link ${cur}`);
    if (!exists(target)) {
      throw ioError('FILE_NOT_FOUND', f.filename, `The external link ${cur} names "${ext.filename}", which is not in the recording's folder`,
        'Copy the linked file next to the NWB file.');
    }
  }
}

/** True when a component of p is an external link that checkLinks refuses. */
export function linkedOutside(f: H5.File, p: string): boolean {
  try { checkLinks(f, p); return false; } catch (e) {
    if (e instanceof SpikeDeskError && (e.code === 'PATH_NOT_ALLOWED' || e.code === 'FILE_NOT_FOUND')) return true;
    throw e;
  }
}

/** An object by path (external links checked first), or null when absent or of another kind. */
export function getObj(f: H5.File, p: string): H5.Group | H5.Dataset | null {
  checkLinks(f, p);
  const o = f.get(p);
  return isGroup(o) || isDataset(o) ? o : null;
}

/** A scalar attribute value as a number or string, or undefined. */
export function attr(o: H5.Group | H5.Dataset, name: string): number | string | undefined {
  const a = o.attrs[name];
  if (!a) return undefined;
  let v: unknown = a.value;
  if (ArrayBuffer.isView(v) || Array.isArray(v)) v = (v as ArrayLike<unknown>)[0];
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

/** A dataset's values as plain numbers (small datasets only). */
export function numbers(v: unknown): number[] {
  if (v === null || v === undefined) return [];
  if (typeof v === 'number' || typeof v === 'bigint') return [Number(v)];
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return Array.from(v as ArrayLike<number | bigint>, Number);
  return [];
}

export function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return [v];
  return [];
}

export function checkDims(file: string, ok: boolean, what: string): void {
  if (!ok) throw ioError('FORMAT_CORRUPT', file, what, 'The file does not follow the expected layout; re-export it.');
}

/**
 * A dataset cannot hold more uncompressed bytes than the file (or ~1000x that when compressed):
 * a shape beyond that is a damaged header, and reading it would only produce fill values.
 */
export function checkStorage(file: string, fileSize: number, d: H5.Dataset, what: string): void {
  const m = d.metadata;
  const bytes = m.total_size * m.size;
  let compressed = false;
  try { compressed = d.filters.length > 0; } catch { compressed = false; }
  const limit = fileSize * (compressed ? 1000 : 1) + 4096;
  if (!Number.isFinite(bytes) || bytes > limit) {
    throw ioError('HEADER_MISMATCH', file, `${what} claims ${bytes} bytes of data, more than the ${fileSize}-byte file can hold`,
      'The HDF5 metadata is damaged; re-export the file.');
  }
}
