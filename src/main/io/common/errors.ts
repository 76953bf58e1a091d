// Helpers that build the SpikeDeskErrors of the readers and writers, so every message names the
// file, the problem and a fix in the same shape.

import { SpikeDeskError, type ErrorCode } from '../../../shared/errors';

export function ioError(code: ErrorCode, file: string, message: string, fix?: string): SpikeDeskError {
  return new SpikeDeskError({ code, file, message, fix });
}

/** A header or sidecar field that is missing or malformed. */
export function corrupt(file: string, message: string, fix = 'Re-export the file from the acquisition software.'): SpikeDeskError {
  return ioError('FORMAT_CORRUPT', file, message, fix);
}

export function mismatch(file: string, message: string, fix = 'The header does not agree with the data; re-export the file.'): SpikeDeskError {
  return ioError('HEADER_MISMATCH', file, message, fix);
}

export function truncated(file: string, message: string): SpikeDeskError {
  return ioError('FILE_TRUNCATED', file, message,
    'The file is shorter than its header says (interrupted copy or recording?); copy it again from the original.');
}

/** Map a Node fs error to a SpikeDeskError naming the file. */
export function fsError(e: unknown, file: string): SpikeDeskError {
  if (e instanceof SpikeDeskError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return ioError('FILE_NOT_FOUND', file, 'The file does not exist', 'Check the path, or open the file again from its folder.');
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return ioError('FILE_UNREADABLE', file, 'Permission denied', 'Give your user read permission on the file.');
  }
  if (code === 'EISDIR') {
    return ioError('FILE_UNREADABLE', file, 'This is a folder, not a file', 'Open a recording file inside the folder.');
  }
  const msg = e instanceof Error ? e.message : String(e);
  return ioError('FILE_UNREADABLE', file, `Cannot read the file (${msg})`, 'Check that the disk is connected and the file is not locked.');
}

/** Parse a finite number or throw FORMAT_CORRUPT naming the field. */
export function num(file: string, field: string, text: string | undefined): number {
  const t = (text ?? '').trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw corrupt(file, `Header field ${field} is not a number ('${t}')`);
  return v;
}

/** Parse a positive integer or throw FORMAT_CORRUPT naming the field. */
export function posInt(file: string, field: string, text: string | undefined, allowZero = false): number {
  const v = num(file, field, text);
  if (!Number.isInteger(v) || v < (allowZero ? 0 : 1) || v > 2 ** 40) {
    throw corrupt(file, `Header field ${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${(text ?? '').trim()}'`);
  }
  return v;
}
