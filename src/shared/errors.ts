// Typed errors that cross process boundaries as plain objects. Every error names the problem,
// the file (when there is one) and what the user can do about it.

export type ErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'FILE_EMPTY'
  | 'FILE_TRUNCATED'
  | 'FORMAT_UNKNOWN'
  | 'FORMAT_CORRUPT'
  | 'FORMAT_UNSUPPORTED'
  | 'HEADER_MISMATCH'
  | 'BAD_SAMPLES'
  /** A NaN or Inf sample where a number is needed (float data read with nonFinite 'error', or data to write). */
  | 'NON_FINITE'
  | 'BAD_PARAMETER'
  | 'BAD_REQUEST'
  | 'PATH_NOT_ALLOWED'
  | 'NO_TRIGGERS'
  | 'CANCELLED'
  | 'WORKER_FAILED'
  | 'OUTPUT_EXISTS'
  | 'WRITE_FAILED'
  /** A cluster scheduler (Slurm) refused or failed a request. */
  | 'SCHEDULER_FAILED'
  | 'NOT_FOUND'
  | 'SESSION_LOCKED'
  /** The renderer has no connection to the backend (the web host is not running or stopped). */
  | 'NOT_CONNECTED'
  | 'INTERNAL';

/** One bad field of a parameter object or request ("cluster.restarts" must be ...). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** What the user can do to fix it. */
  fix?: string;
  file?: string;
  /** Field-by-field problems of a rejected parameter object (schema validation). */
  fields?: FieldIssue[];
}

export class SpikeDeskError extends Error {
  readonly code: ErrorCode;
  readonly fix?: string;
  readonly file?: string;
  readonly fields?: FieldIssue[];

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'SpikeDeskError';
    this.code = info.code;
    this.fix = info.fix;
    this.file = info.file;
    if (info.fields) this.fields = info.fields;
  }

  toJSON(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message, fix: this.fix, file: this.file };
    if (this.fields) info.fields = this.fields;
    return info;
  }

  /** One line for terminals and toasts: problem, file, fix. */
  describe(): string {
    const where = this.file ? ` [${this.file}]` : '';
    const fix = this.fix ? ` Fix: ${this.fix}` : '';
    return `${this.code}: ${this.message}${where}.${fix}`;
  }
}

export function isErrorInfo(x: unknown): x is ErrorInfo {
  return typeof x === 'object' && x !== null && typeof (x as ErrorInfo).code === 'string'
    && typeof (x as ErrorInfo).message === 'string';
}

/** Normalise anything thrown into an ErrorInfo (unknown errors become INTERNAL). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof SpikeDeskError) return e.toJSON();
  if (isErrorInfo(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message };
}
