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
}

export interface OpenJournalOptions {
  /** What to do with a journal of another sort result: throw HEADER_MISMATCH (default) or move it aside and start fresh. */
  onMismatch?: 'error' | 'archive';
  /** Clock for timestamps (tests). */
  now?: () => Date;
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

  private constructor(readonly file: string, fd: number, size: number, seq: number, private readonly now: () => Date) {
    this.fd = fd; this.size = size; this.seq = seq;
  }

  /**
   * Open (or create) the journal at `file` for `base`, replay it and return the model wired to append
   * every further action. Throws HEADER_MISMATCH or FORMAT_CORRUPT (with the file) when it cannot apply.
   */
  static open(file: string, base: BaseAssignment, options: OpenJournalOptions = {}): { model: CurationModel; journal: CurationJournal; report: JournalLoadReport } {
    const now = options.now ?? (() => new Date());
    const baseHash = hashBase(base);
    const report: JournalLoadReport = { path: file, created: false, records: 0, tornTail: null, archived: null };
    const model = new CurationModel(base);
    let seq = 0;
    const existing = fs.existsSync(file) ? readLines(file) : null;
    if (existing && existing.header) {
      const h = existing.header;
      if (h.baseHash !== baseHash || h.nSpikes !== model.nSpikes) {
        if (options.onMismatch !== 'archive') {
          throw new SpikeDeskError({
            code: 'HEADER_MISMATCH', file,
            message: `the curation journal belongs to another sort result (run ${h.runId}, ${h.nSpikes} spikes) than the current one (run ${base.runId}, ${model.nSpikes} spikes)`,
            fix: 'reopen the matching sort result, or start a fresh curation (the old journal is kept under another name)',
          });
        }
        report.archived = archive(file, now());
      } else {
        const records = decodeAll(file, existing.raw);
        try {
          model.restore(records);
        } catch (e) {
          throw new SpikeDeskError({
            code: 'FORMAT_CORRUPT', file, message: `the curation journal cannot be replayed: ${(e as Error).message}`,
            fix: 'move curation.jsonl away to start a fresh curation',
          });
        }
        // Cut the torn tail only once the rest replayed, so a failed open leaves the file as it was.
        if (existing.torn) truncate(file, existing.goodBytes);
        report.records = records.length;
        seq = records.length;
      }
    }
    if (existing?.torn && !report.archived) report.tornTail = { line: existing.torn.line, bytes: existing.torn.bytes };
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
  append(r: HistoryRecord): void {
    if (this.fd === null) throw new SpikeDeskError({ code: 'WRITE_FAILED', file: this.file, message: 'the curation journal is closed', fix: 'reopen the session' });
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
  for (let k = 0; k < lines.length; k++) {
    const text = buf.toString('utf8', lines[k].start, lines[k].end);
    try {
      parsed.push(JSON.parse(text));
    } catch {
      // A damaged final line (e.g. zero-filled after a power cut) is a torn write too; earlier damage is corruption.
      if (k === lines.length - 1 && !torn) {
        torn = { line: k + 1, bytes: buf.length - lines[k].start };
        goodBytes = lines[k].start;
        break;
      }
      corrupt(file, k + 1, 'is not valid JSON');
    }
  }
  if (parsed.length === 0) return { header: null, raw: [], goodBytes: 0, torn };
  const h = parsed[0] as Header;
  if (h?.type !== 'header' || typeof h.baseHash !== 'string' || !Number.isInteger(h.nSpikes)) corrupt(file, 1, 'is not a journal header');
  if (h.version !== VERSION) {
    throw new SpikeDeskError({ code: 'FORMAT_UNSUPPORTED', file, message: `curation journal version ${h.version} is not supported`, fix: 'update SpikeDesk' });
  }
  return { header: h, raw: parsed.slice(1), goodBytes, torn };
}

function decodeAll(file: string, raw: unknown[]): HistoryRecord[] {
  return raw.map((o, k) => {
    const line = k + 2;
    if ((o as { seq?: unknown })?.seq !== k + 1) corrupt(file, line, `has sequence number ${String((o as { seq?: unknown })?.seq)} instead of ${k + 1}`);
    try { return decodeRecord(o); } catch (e) { return corrupt(file, line, (e as Error).message); }
  });
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
