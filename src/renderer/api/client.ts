// One connection per window, shared by the stores.
import type { Connection } from './transport';
import { connect } from './transport';

let conn: Promise<Connection> | null = null;

export function backend(): Promise<Connection> {
  conn ??= connect();
  return conn;
}

export interface ErrorText { message: string; fix?: string; code?: string; file?: string }

/** Message and fix of anything the backend threw (typed SpikeDeskError or plain Error). */
export function errorText(e: unknown): ErrorText {
  const x = e as { message?: string; fix?: string; code?: string; file?: string };
  return { message: x?.message ?? String(e), fix: x?.fix, code: x?.code, file: x?.file };
}
