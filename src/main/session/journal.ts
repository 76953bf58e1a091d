// The curation journal (curation.jsonl in the session folder): a header naming the sort result it
// belongs to, then one JSON line per action, undo and redo, appended and fsynced before the model
// changes (write-ahead). Loading replays it on the base assignment, which recovers the state, the
// redo stack and the id counter exactly. A torn last line (crash mid-write) is dropped and reported;
// a journal of another sort result is never applied silently.

import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { SpikeDeskError } from '../../shared/errors';
import { CurationModel, type BaseAssignment, type HistoryRecord } from './curation';
import { decodeRecord, encodeRecord } from './journal-codec';

export const JOURNAL_FILE = 'curation.jsonl';
const VERSION = 1;

interface Header { type: 'header'; version: number; runId: string; baseHash: string; nSpikes: number; created: string }

export interface JournalLoadReport {
  path: string;
  /** True when no usable journal existed and a fresh one was written. */
  created: boolean;
  /** Action/undo/redo records replayed. */
  records: number;
  /** An incomplete final line that was dropped (bytes cut from the end of the file). */
  tornTail: { line: number; bytes: number } | null;
  /** Where an old journal of another sort result was moved. */
  archived: string | null;
  /**
   * A damaged line before the end: every step before it was replayed, the steps from it on were
   * not; the whole original journal was kept as `savedAs` (null when opened read-only).
   */
  damaged: { line: number; reason: string; droppedLines: number; savedAs: string | null } | null;
  /** Opened without the right to write (another process curates this session). */
  readOnly: boolean;
}

export interface OpenJournalOptions {
  /** What to do with a journal of another sort result: throw HEADER_MISMATCH (default) or move it aside and start fresh. */
  onMismatch?: 'error' | 'archive';
  /** Clock for timestamps (tests). */
  now?: () => Date;
  /** Replay only: never write, cut, archive or create the file (another process holds the session). */
  readOnly?: boolean;
}

/** Content hash of the base assignment (channels and every spike's cluster id). */
export function hashBase(base: BaseAssignment): string {
  const h = createHash('sha256');
  h.update(`spikedesk-base-v1:${base.groups.length}`);
  for (const g of base.groups) {
    h.update(`|${g.channel}:${g.clusters.length}|`);
    h.update(new Uint8Array(g.clusters.buffer, g.clusters.byteOffset, g.clusters.byteLength));
  }
  return `sha256:${h.digest('hex')}`;
}

export class CurationJournal {
  private fd: number | null;
  private size: number;
  private seq: number;

  private constructor(readonly file: string, fd: number | null, size: number, seq: number, private readonly now: () => Date) {
    this.fd = fd; this.size = size; this.seq = seq;
  }

  /**
   * Open (or create) the journal at `file` for `base`, replay it and return the model wired to append
   * every further action. Throws HEADER_MISMATCH or FORMAT_CORRUPT (with the file) when it cannot apply.
   */
  static open(file: string, base: BaseAssignment, options: OpenJournalOptions = {}): { model: CurationModel; journal: CurationJournal; report: JournalLoadReport } {
    const now = options.now ?? (() => new Date());
    const baseHash = hashBase(base);
    const readOnly = options.readOnly === true;
    const report: JournalLoadReport = { path: file, created: false, records: 0, tornTail: null, archived: null, damaged: null, readOnly };
    const model = new CurationModel(base);
    let seq = 0;
    const existing = fs.existsSync(file) ? readLines(file) : null;
    if (existing && existing.header) {
      const h = existing.header;
      if (h.baseHash !== baseHash || h.nSpikes !== model.nSpikes) {
        if (readOnly) {
          // Another process owns the session: show the sort uncurated rather than touch its journal.
        } else if (options.onMismatch !== 'archive') {
          throw new SpikeDeskError({
            code: 'HEADER_MISMATCH', file,
            message: `the curation journal belongs to another sort result (run ${h.runId}, ${h.nSpikes} spikes) than the current one (run ${base.runId}, ${model.nSpikes} spikes)`,
            fix: 'reopen the matching sort result, or start a fresh curation (the old journal is kept under another name)',
          });
        } else {
          report.archived = archive(file, now());
        }
      } else {
        const decoded = decodeAll(file, existing.raw);
        let damage = existing.damaged ?? decoded.damaged;
        const replay = restoreLongestPrefix(model, decoded.records);
        if (replay.error) damage ??= { line: replay.kept + 2, reason: replay.error };
        const records = decoded.records.slice(0, replay.kept);
        if (damage) {
          // Keep every step before the damage; the original file is saved whole, the journal continues from the good prefix.
          const dropped = existing.lineCount - 1 - records.length;
          report.damaged = { line: damage.line, reason: damage.reason, droppedLines: dropped, savedAs: readOnly ? null : saveDamaged(file, now()) };
          if (!readOnly) rewritePrefix(file, existing.lineBytes, records.length + 1);
        } else if (existing.torn && !readOnly) {
          // Cut the torn tail only once the rest replayed, so a failed open leaves the file as it was.
          truncate(file, existing.goodBytes);
        }
        report.records = records.length;
        seq = records.length;
      }
    }
    if (existing?.torn && !report.archived) report.tornTail = { line: existing.torn.line, bytes: existing.torn.bytes };
    if (readOnly) {
      const journal = new CurationJournal(file, null, 0, seq, now);
      model.onRecord = () => journal.append();
      return { model, journal, report };
    }
    if (!existing?.header || report.archived) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFresh(file, { type: 'header', version: VERSION, runId: base.runId, baseHash, nSpikes: model.nSpikes, created: now().toISOString() });
      report.created = true;
    }
    const fd = fs.openSync(file, 'a');
    const journal = new CurationJournal(file, fd, fs.fstatSync(fd).size, seq, now);
    model.onRecord = (r) => journal.append(r);
    return { model, journal, report };
  }

  /** Append one record and fsync it; on failure the file is cut back so no torn line stays behind. */
  append(r?: HistoryRecord): void {
    if (this.fd === null || !r) throw new SpikeDeskError({ code: 'WRITE_FAILED', file: this.file, message: 'the curation journal is closed or read-only', fix: 'reopen the session' });
    const line = JSON.stringify({ seq: this.seq + 1, t: this.now().toISOString(), ...(encodeRecord(r) as object) }) + '\n';
    const buf = Buffer.from(line, 'utf8');
    try {
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
      fs.fsyncSync(this.fd);
    } catch (e) {
      try { fs.ftruncateSync(this.fd, this.size); } catch { /* the torn line is dropped at the next load */ }
      throw new SpikeDeskError({
        code: 'WRITE_FAILED', file: this.file, message: `could not write the curation journal: ${(e as Error).message}`,
        fix: 'free disk space or check permissions; the action was not applied',
      });
    }
    this.size += buf.length;
    this.seq++;
  }

  close(): void {
    if (this.fd !== null) { fs.closeSync(this.fd); this.fd = null; }
  }
}

interface ReadResult {
  header: Header | null;
  /** Parsed record lines, decoded only once the header matches. */
  raw: unknown[];
  goodBytes: number;
  torn: { line: number; bytes: number } | null;
  /** First unparsable line before the last one (records from it on are not replayed). */
  damaged: { line: number; reason: string } | null;
  /** Byte end (after the newline) of each complete line, and the number of complete lines. */
  lineBytes: number[];
  lineCount: number;
}

function readLines(file: string): ReadResult {
  const buf = fs.readFileSync(file);
  const lines: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) { lines.push({ start, end: i }); start = i + 1; }
  // Bytes after the last newline are a line whose write never completed.
  let torn: ReadResult['torn'] = start < buf.length ? { line: lines.length + 1, bytes: buf.length - start } : null;
  let goodBytes = start;
  const parsed: unknown[] = [];
  let damaged: ReadResult['damaged'] = null;
  for (let k = 0; k < lines.length; k++) {
    const text = buf.toString('utf8', lines[k].start, lines[k].end);
    try {
      parsed.push(JSON.parse(text));
    } catch {
      // A damaged final line (e.g. zero-filled after a power cut) is a torn write too.
      if (k === lines.length - 1 && !torn) {
        torn = { line: k + 1, bytes: buf.length - lines[k].start };
        goodBytes = lines[k].start;
        break;
      }
      if (k === 0) corrupt(file, 1, 'is not valid JSON');
      // Damage in the middle: replay what came before, report the rest (the open does not fail).
      damaged = { line: k + 1, reason: 'is not valid JSON' };
      break;
    }
  }
  const lineBytes = lines.map((l) => l.end + 1);
  if (parsed.length === 0) return { header: null, raw: [], goodBytes: 0, torn, damaged, lineBytes, lineCount: lines.length };
  const h = parsed[0] as Header;
  if (h?.type !== 'header' || typeof h.baseHash !== 'string' || !Number.isInteger(h.nSpikes)) corrupt(file, 1, 'is not a journal header');
  if (h.version !== VERSION) {
    throw new SpikeDeskError({ code: 'FORMAT_UNSUPPORTED', file, message: `curation journal version ${h.version} is not supported`, fix: 'update SpikeDesk' });
  }
  return { header: h, raw: parsed.slice(1), goodBytes, torn, damaged, lineBytes, lineCount: lines.length };
}

/** Decode records up to the first one that does not decode (reported as damage). */
function decodeAll(_file: string, raw: unknown[]): { records: HistoryRecord[]; damaged: { line: number; reason: string } | null } {
  const records: HistoryRecord[] = [];
  for (let k = 0; k < raw.length; k++) {
    const o = raw[k];
    const line = k + 2;
    if ((o as { seq?: unknown })?.seq !== k + 1) return { records, damaged: { line, reason: `has sequence number ${String((o as { seq?: unknown })?.seq)} instead of ${k + 1}` } };
    try { records.push(decodeRecord(o)); } catch (e) { return { records, damaged: { line, reason: (e as Error).message } }; }
  }
  return { records, damaged: null };
}

/**
 * Replay the longest prefix of records that applies. A prefix that applies stays valid when cut
 * shorter, so a binary search finds it in O(log n) replays.
 */
function restoreLongestPrefix(model: CurationModel, records: HistoryRecord[]): { kept: number; error: string | null } {
  try { model.restore(records); return { kept: records.length, error: null }; } catch (e) {
    const error = (e as Error).message;
    let lo = 0, hi = records.length - 1; // lo: known to apply; hi: largest candidate
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      try { model.restore(records.slice(0, mid)); lo = mid; } catch { hi = mid - 1; }
    }
    model.restore(records.slice(0, lo));
    return { kept: lo, error: `does not apply (${error})` };
  }
}

/** Keep the whole damaged journal beside it before it is cut back to its good prefix. */
function saveDamaged(file: string, when: Date): string {
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  const ext = path.extname(file);
  const target = `${file.slice(0, file.length - ext.length)}.damaged-${stamp}${ext}`;
  fs.copyFileSync(file, target);
  return target;
}

/** Replace the journal by its first `lines` complete lines (temp file, fsync, rename). */
function rewritePrefix(file: string, lineBytes: number[], lines: number): void {
  const bytes = lines > 0 ? lineBytes[lines - 1] : 0;
  const buf = fs.readFileSync(file).subarray(0, bytes);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, buf); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

function corrupt(file: string, line: number, what: string): never {
  throw new SpikeDeskError({
    code: 'FORMAT_CORRUPT', file, message: `line ${line} of the curation journal ${what}`,
    fix: 'move curation.jsonl away to start a fresh curation, or repair that line',
  });
}

function truncate(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'r+');
  try { fs.ftruncateSync(fd, bytes); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

/** Write the header crash-safely: temp file, fsync, rename, fsync the folder. */
function writeFresh(file: string, header: Header): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try { fs.writeSync(fd, JSON.stringify(header) + '\n'); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch { /* not supported on every platform (Windows); the rename is still atomic */ }
}

function archive(file: string, when: Date): string {
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  const ext = path.extname(file);
  let target = `${file.slice(0, file.length - ext.length)}.stale-${stamp}${ext}`;
  for (let i = 2; fs.existsSync(target); i++) target = `${file.slice(0, file.length - ext.length)}.stale-${stamp}-${i}${ext}`;
  fs.renameSync(file, target);
  syncDir(path.dirname(file));
  return target;
}
