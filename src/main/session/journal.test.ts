import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CurationJournal, JOURNAL_FILE, hashBase } from './journal';
import { decodeSortedIndices, encodeSortedIndices } from './journal-codec';
import type { BaseAssignment, CurationModel } from './curation';
import { Rng } from '../../workers/rng';

let dir: string;
let file: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sd-journal-')); file = path.join(dir, JOURNAL_FILE); });
afterEach(() => { vi.restoreAllMocks(); fs.rmSync(dir, { recursive: true, force: true }); });

function makeBase(seed = 1): BaseAssignment {
  const rng = new Rng(seed);
  return {
    runId: `run-${seed}`,
    groups: [
      { channel: 0, clusters: Int32Array.from({ length: 4000 }, () => rng.int(5)) },
      { channel: 3, clusters: Int32Array.from({ length: 3000 }, () => 5 + rng.int(3)) },
    ],
  };
}

const state = (m: CurationModel): string => JSON.stringify({ a: [[...m.spikeClusters(0)], [...m.spikeClusters(3)]], c: m.clusters(), n: m.nextId, r: m.redoable.length });

/** A session touching every action kind, ending with an undo so there is a redo stack. */
function session(m: CurationModel): void {
  m.merge([0, 1]);
  m.setLabel([2], 'good');
  m.setLabels([{ id: 2, label: 'mua' }, { id: 3, label: 'noise' }, { id: 5, label: 'good' }]);
  const sp = m.spikesOf(5);
  m.split(5, sp.filter((_, i) => i % 3 === 0), [5]);
  const f = new Float32Array(3000 * 2).map((_, i) => (i * 7919) % 13);
  m.splitLasso(6, { dims: [0, 1], polygon: [[0, 0], [6, 0], [6, 13], [0, 13]] }, f, 2);
  m.recluster(3, 3, Int32Array.from({ length: m.summary(3).nSpikes }, (_, i) => i % 3));
  m.deleteAsNoise([4]);
  m.undo();
  m.undo();
  m.redo();
}

describe('CurationJournal', () => {
  it('creates a journal with a header and appends one fsynced line per record', () => {
    const fsync = vi.spyOn(fs, 'fsyncSync');
    const { model, journal, report } = CurationJournal.open(file, makeBase());
    expect(report).toMatchObject({ created: true, records: 0, tornTail: null, archived: null });
    fsync.mockClear();
    session(model);
    journal.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'header', version: 1, runId: 'run-1', baseHash: hashBase(makeBase()), nSpikes: 7000 });
    expect(lines.slice(1).map((l) => l.type)).toEqual(['do', 'do', 'do', 'do', 'do', 'do', 'do', 'undo', 'undo', 'redo']);
    expect(lines.slice(1).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(fsync).toHaveBeenCalledTimes(10);
  });

  it('reloads to exactly the same state, redo stack and id counter', () => {
    const a = CurationJournal.open(file, makeBase());
    session(a.model);
    a.journal.close();
    a.model.onRecord = undefined; // keep using the first model as an in-memory reference
    const b = CurationJournal.open(file, makeBase());
    expect(b.report).toMatchObject({ created: false, records: 10, tornTail: null });
    expect(state(b.model)).toBe(state(a.model));
    // Redo and undo after reload behave as they would have in the original session.
    expect(b.model.redo()!.description).toBe(a.model.redo()!.description);
    expect(state(b.model)).toBe(state(a.model));
    b.model.undo(); a.model.undo(); b.model.undo(); a.model.undo();
    expect(state(b.model)).toBe(state(a.model));
    b.journal.close();
    // The undos were journaled too.
    const c = CurationJournal.open(file, makeBase());
    expect(state(c.model)).toBe(state(b.model));
    c.journal.close();
  });

  it('never reuses ids across a reload, even ids of undone actions', () => {
    const a = CurationJournal.open(file, makeBase());
    const first = a.model.merge([0, 1]).added[0];
    a.model.undo();
    a.journal.close();
    const b = CurationJournal.open(file, makeBase());
    expect(b.model.has(first)).toBe(false);
    const next = b.model.merge([0, 2]).added[0];
    expect(next).toBe(first + 1);
    b.journal.close();
    const c = CurationJournal.open(file, makeBase());
    expect(c.model.split(next, c.model.spikesOf(next).subarray(0, 10)).added).toEqual([first + 2, first + 3]);
    c.journal.close();
  });

  it('survives a crash mid-line: drops the torn tail, reports it and keeps appending', () => {
    const a = CurationJournal.open(file, makeBase());
    a.model.merge([0, 1]);
    const s1 = state(a.model);
    a.model.split(2, a.model.spikesOf(2).subarray(0, 50));
    a.journal.close();
    const full = fs.readFileSync(file);
    const lastStart = full.subarray(0, full.length - 1).lastIndexOf(10) + 1;
    for (const cut of [lastStart + 1, lastStart + 20, full.length - 1]) {
      fs.writeFileSync(file, full.subarray(0, cut));
      const b = CurationJournal.open(file, makeBase());
      expect(b.report.tornTail).toEqual({ line: 3, bytes: cut - lastStart });
      expect(b.report.records).toBe(1);
      expect(state(b.model)).toBe(s1);
      expect(fs.statSync(file).size).toBe(lastStart);
      b.journal.close();
    }
    // After recovery the journal keeps working and reloads cleanly.
    const c = CurationJournal.open(file, makeBase());
    expect(c.report.tornTail).toBeNull();
    c.model.undo();
    c.journal.close();
    const d = CurationJournal.open(file, makeBase());
    expect(d.report.tornTail).toBeNull();
    expect(state(d.model)).toBe(state(c.model));
    d.journal.close();
  });

  it('treats a garbled final line as torn; a garbled middle line keeps every step before it and reports the rest', () => {
    const a = CurationJournal.open(file, makeBase());
    a.model.merge([0, 1]); a.model.merge([2, 3]);
    a.journal.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, [...lines.slice(0, 2), '\0\0\0\0', ''].join('\n'));
    const b = CurationJournal.open(file, makeBase());
    expect(b.report.tornTail?.line).toBe(3);
    expect(b.report.records).toBe(1);
    b.journal.close();
    const garbled = [lines[0], '{"seq":1,"t"', lines[2], ''].join('\n');
    fs.writeFileSync(file, garbled);
    const c = CurationJournal.open(file, makeBase());
    expect(c.report.records).toBe(0);
    expect(c.report.damaged).toMatchObject({ line: 2, droppedLines: 2 });
    expect(fs.readFileSync(c.report.damaged!.savedAs!, 'utf8')).toBe(garbled);
    c.journal.close();
    fs.writeFileSync(file, [lines[0], lines[2], ''].join('\n'));
    const d = CurationJournal.open(file, makeBase());
    expect(d.report.damaged?.reason).toMatch(/sequence number 2 instead of 1/);
    d.journal.close();
  });

  it('a bad line in the middle of a long journal: the steps before it open, later appends survive a reload', () => {
    const a = CurationJournal.open(file, makeBase());
    a.model.merge([0, 1]); a.model.merge([2, 3]); a.model.merge([5, 6]); a.model.undo(); a.model.merge([6, 7]);
    a.journal.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[3] = 'garbage in the middle';
    fs.writeFileSync(file, lines.join('\n'));
    const b = CurationJournal.open(file, makeBase());
    expect(b.report.records).toBe(2);
    expect(b.report.damaged).toMatchObject({ line: 4, droppedLines: 3 });
    expect(b.model.has(0)).toBe(false);
    expect(b.model.has(2)).toBe(false);
    expect(b.model.has(4)).toBe(true);
    b.model.merge([5, 6]);
    const want = state(b.model);
    b.journal.close();
    const c = CurationJournal.open(file, makeBase());
    expect(c.report.damaged).toBeNull();
    expect(c.report.records).toBe(3);
    expect(state(c.model)).toBe(want);
    c.journal.close();
  });

  it('read-only: replays without writing anything, and refuses to append', () => {
    const a = CurationJournal.open(file, makeBase());
    a.model.merge([0, 1]);
    a.journal.close();
    const text = `${fs.readFileSync(file, 'utf8')}{"seq":2,"t":"x","ty`;
    fs.writeFileSync(file, text);
    const b = CurationJournal.open(file, makeBase(), { readOnly: true });
    expect(b.report).toMatchObject({ readOnly: true, records: 1 });
    expect(() => b.model.merge([2, 3])).toThrow(expect.objectContaining({ code: 'WRITE_FAILED' }));
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses a journal of another sort result, or archives it on request', () => {
    const a = CurationJournal.open(file, makeBase(1));
    a.model.merge([0, 1]);
    a.journal.close();
    const before = fs.readFileSync(file, 'utf8');
    expect(() => CurationJournal.open(file, makeBase(2))).toThrow(expect.objectContaining({ code: 'HEADER_MISMATCH' }));
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    const b = CurationJournal.open(file, makeBase(2), { onMismatch: 'archive', now: () => new Date('2026-01-02T03:04:05Z') });
    expect(b.report.created).toBe(true);
    expect(b.report.archived).toBe(path.join(dir, 'curation.stale-2026-01-02T03-04-05-000Z.jsonl'));
    expect(fs.readFileSync(b.report.archived!, 'utf8')).toBe(before);
    expect(b.model.canUndo).toBe(false);
    expect(b.model.merge([0, 1]).added).toEqual([8]);
    b.journal.close();
  });

  it('does not apply an action whose journal write fails', () => {
    const a = CurationJournal.open(file, makeBase());
    const size = fs.statSync(file).size;
    vi.spyOn(fs, 'fsyncSync').mockImplementationOnce(() => { throw new Error('EIO'); });
    expect(() => a.model.merge([0, 1])).toThrow(expect.objectContaining({ code: 'WRITE_FAILED' }));
    expect(a.model.has(0)).toBe(true);
    expect(fs.statSync(file).size).toBe(size);
    a.model.merge([0, 1]);
    a.journal.close();
    expect(state(CurationJournal.open(file, makeBase()).model)).toBe(state(a.model));
  });
});

describe('sorted index codec', () => {
  it('round-trips sparse and dense index lists', () => {
    const rng = new Rng(5);
    const sparse = Int32Array.from(new Set(Array.from({ length: 5000 }, () => rng.int(2 ** 31 - 1)))).sort();
    for (const x of [new Int32Array(0), Int32Array.of(0), Int32Array.of(127, 128, 16383, 16384), sparse, Int32Array.from({ length: 1e5 }, (_, i) => 3 * i + 7)]) {
      expect([...decodeSortedIndices(encodeSortedIndices(x))]).toEqual([...x]);
    }
    expect(encodeSortedIndices(Int32Array.from({ length: 1e5 }, (_, i) => 3 * i)).length).toBeLessThan(140_000);
    expect(() => decodeSortedIndices(Buffer.from([0x80]).toString('base64'))).toThrow(/truncated/);
  });
});

describe('CurationJournal edge cases', () => {
  it('replaces a journal whose header never completed and creates missing folders', () => {
    fs.writeFileSync(file, '{"type":"header","vers');
    const a = CurationJournal.open(file, makeBase());
    expect(a.report).toMatchObject({ created: true, tornTail: { line: 1, bytes: 22 } });
    a.journal.close();
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).type).toBe('header');
    const nested = path.join(dir, 'a', 'b', JOURNAL_FILE);
    CurationJournal.open(nested, makeBase()).journal.close();
    expect(fs.existsSync(nested)).toBe(true);
  });

  it('keeps the steps before a record that cannot be replayed and saves the original', () => {
    const a = CurationJournal.open(file, makeBase());
    a.model.merge([0, 1]);
    a.journal.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const bad = JSON.parse(lines[1]);
    bad.entry.ids = [0, 6]; // clusters on different channels
    const text = [lines[0], JSON.stringify(bad), '{"seq":2,"t":"x","ty'].join('\n');
    fs.writeFileSync(file, text);
    const b = CurationJournal.open(file, makeBase());
    expect(b.report.records).toBe(0);
    expect(b.report.damaged?.reason).toMatch(/different channels/);
    expect(fs.readFileSync(b.report.damaged!.savedAs!, 'utf8')).toBe(text);
    b.journal.close();
  });
});
