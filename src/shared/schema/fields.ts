// Building blocks of the schemas (valibot): bounded numbers and strings whose messages name the
// allowed range, and one way to turn valibot issues into a field-by-field BAD_PARAMETER error.
// Every value that crosses a boundary (renderer, web socket, CLI, --params file) is parsed here.

import * as v from 'valibot';
import { SpikeDeskError, type ErrorCode, type FieldIssue } from '../errors';

type Issue = v.BaseIssue<unknown>;

// Message functions are typed by the input they see, so valibot infers each action's input type.
function got(i: { received: string }): string {
  return i.received === 'undefined' ? 'is missing' : `got ${i.received}`;
}

/** A finite number in [min, max] (or (min, max] with `above`), optionally whole. */
function bounded(min: number, max: number, opts: { int?: boolean; above?: boolean; unit?: string }) {
  const kind = opts.int ? 'a whole number' : 'a number';
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const desc = opts.above ? `${kind} above ${min} and at most ${max}${unit}` : `${kind} from ${min} to ${max}${unit}`;
  const msg = (i: Issue) => `must be ${desc} (${got(i)})`;
  const nmsg = (i: v.BaseIssue<number>) => `must be ${desc} (${got(i)})`;
  const inRange = (n: number) => Number.isFinite(n) && (!opts.int || Number.isInteger(n)) && (opts.above ? n > min : n >= min) && n <= max;
  return v.pipe(v.number(msg), v.check(inRange, nmsg));
}

export const intIn = (min: number, max: number, unit?: string) => bounded(min, max, { int: true, unit });
export const numIn = (min: number, max: number, unit?: string) => bounded(min, max, { unit });
export const numAbove = (min: number, max: number, unit?: string) => bounded(min, max, { above: true, unit });

export const bool = () => v.boolean((i: Issue) => `must be true or false (${got(i)})`);

export const text = (maxLength: number) => {
  const msg = (i: Issue) => `must be a text of at most ${maxLength} characters (${got(i)})`;
  return v.pipe(v.string(msg), v.maxLength(maxLength, (i: v.BaseIssue<string>) => `must be a text of at most ${maxLength} characters (got ${i.input.length})`));
};

export const oneOf = <const T extends readonly string[]>(options: T) =>
  v.picklist(options, (i: Issue) => `must be one of ${options.map((o) => `'${o}'`).join(', ')} (${got(i)})`);

/** An object with exactly these fields: unknown fields are named as errors (a misspelt option is not ignored). */
export function exact<E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries).join(', ');
  return v.strictObject(entries, (i: Issue) =>
    (i.expected === 'never' ? `is not a known field (use one of: ${known})` : `must be an object with the fields ${known} (${got(i)})`));
}

/** valibot issues -> [{path, message}] with dotted paths like "cluster.restarts". */
export function fieldIssues(issues: readonly Issue[], prefix = ''): FieldIssue[] {
  return issues.map((i) => {
    const p = v.getDotPath(i);
    const path = [prefix, p].filter(Boolean).join('.') || '(value)';
    return { path, message: i.message };
  });
}

/** One error listing every bad field: "cluster.restarts must be ...; detect.threshold must be ...". */
export function fieldError(fields: FieldIssue[], what: string, code: ErrorCode = 'BAD_PARAMETER', fix?: string): SpikeDeskError {
  const list = fields.map((f) => `${f.path} ${f.message}`).join('; ');
  return new SpikeDeskError({
    code,
    message: `${what}: ${list}`,
    fix: fix ?? (fields.length === 1 ? `change ${fields[0].path} to an allowed value` : `change the ${fields.length} fields named above to allowed values`),
    fields,
  });
}

/** Parse with a schema or throw one field-by-field error. */
export function parseWith<S extends v.GenericSchema>(schema: S, value: unknown, what: string, opts: { prefix?: string; code?: ErrorCode; fix?: string } = {}): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (r.success) return r.output;
  throw fieldError(fieldIssues(r.issues, opts.prefix), what, opts.code, opts.fix);
}
