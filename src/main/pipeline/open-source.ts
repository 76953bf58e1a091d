// How a worker (or the engine) opens the recording a SourceRef names. A worker keeps the last
// source open between tasks, since most runs send it several channels of the same file.

import * as fs from 'node:fs';
import type { SourceRef } from '../../shared/recording';
import type { Source } from '../io/source';
import { openSource } from '../io';

export async function openRef(ref: SourceRef): Promise<Source> {
  return openSource(ref.path, ref.open ?? {});
}

let cached: { key: string; source: Source } | null = null;

export async function sharedSource(ref: SourceRef): Promise<Source> {
  // Size and mtime in the key: a file replaced under the same name is opened again.
  let stamp = '';
  try { const st = fs.statSync(ref.path); stamp = `${st.size}:${st.mtimeMs}`; } catch { /* openRef reports it */ }
  const key = JSON.stringify([ref.path, ref.open ?? {}, stamp]);
  if (cached?.key === key) return cached.source;
  cached?.source.close();
  cached = null;
  const source = await openRef(ref);
  cached = { key, source };
  return source;
}
