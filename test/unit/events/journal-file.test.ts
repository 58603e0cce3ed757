import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeRecord,
  headerLine,
  MAGIC,
  readOutput,
  scanJournal,
  type JournalScan,
} from '../../../src/events/journal-file.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-journal-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FP = 'f'.repeat(64);
const HASH = 'a'.repeat(64);

/** Scans `bytes` written to a file. */
function scan(bytes: Buffer): JournalScan {
  const p = join(dir, 'j');
  writeFileSync(p, bytes);
  const fd = openSync(p, 'r');
  try {
    return scanJournal(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

const rec = (seq: number, out = `out${seq}\n`, err = '', exitCode = 0) =>
  encodeRecord(
    { seq, offset: seq * 10, hash: HASH, exitCode, signal: 0 },
    [Buffer.from(out)],
    [Buffer.from(err)],
  );

const seqs = (s: JournalScan) => (s.kind === 'journal' ? [...s.entries.keys()] : s.kind);

describe('journal file format', () => {
  it('reads back what it wrote: fields, and the output at its position', () => {
    const bytes = Buffer.concat([headerLine(FP), rec(1), rec(2, 'two\n', 'oops\n', 3)]);
    const s = scan(bytes);
    expect(s.kind).toBe('journal');
    if (s.kind !== 'journal') return;
    expect(s.fingerprint).toBe(FP);
    expect(s.end).toBe(bytes.length);
    const e = s.entries.get(2)!;
    expect(e).toMatchObject({
      seq: 2,
      offset: 20,
      hash: HASH,
      exitCode: 3,
      signal: 0,
      outBytes: 4,
      errBytes: 5,
    });
    const p = join(dir, 'j');
    const fd = openSync(p, 'r');
    expect(readOutput(fd, e)).toEqual({ stdout: Buffer.from('two\n'), stderr: Buffer.from('oops\n') });
    closeSync(fd);
  });

  it('keeps binary output (NUL bytes, newlines, no final newline) byte for byte', () => {
    const out = Buffer.from([0, 10, 255, 10, 0, 65]);
    const bytes = Buffer.concat([
      headerLine(FP),
      encodeRecord({ seq: 1, offset: null, hash: HASH, exitCode: 0, signal: 0 }, [out], []),
    ]);
    const s = scan(bytes);
    if (s.kind !== 'journal') throw new Error(s.kind);
    const fd = openSync(join(dir, 'j'), 'r');
    expect(readOutput(fd, s.entries.get(1)!).stdout).toEqual(out);
    closeSync(fd);
  });

  it('a torn last record (cut at any byte) is ignored; the records before it are intact', () => {
    const before = Buffer.concat([headerLine(FP), rec(1), rec(2)]);
    const last = rec(3, 'x'.repeat(50) + '\n', 'e\n');
    for (let cut = 0; cut < last.length; cut++) {
      const s = scan(Buffer.concat([before, last.subarray(0, cut)]));
      expect(seqs(s), `cut at ${cut}`).toEqual([1, 2]);
      if (s.kind === 'journal') expect(s.end).toBe(before.length);
    }
    expect(seqs(scan(Buffer.concat([before, last])))).toEqual([1, 2, 3]);
  });

  it('a damaged byte anywhere in a record ends the journal there', () => {
    const head = Buffer.concat([headerLine(FP), rec(1)]);
    const second = rec(2);
    for (let i = 0; i < second.length; i++) {
      const bad = Buffer.from(second);
      bad[i] ^= 0x01;
      const s = scan(Buffer.concat([head, bad, rec(3)]));
      expect(seqs(s), `byte ${i}`).toEqual([1]);
    }
  });

  it('zeros after the last record (a power cut on some file systems) are a torn tail', () => {
    const s = scan(Buffer.concat([headerLine(FP), rec(1), Buffer.alloc(4096)]));
    expect(seqs(s)).toEqual([1]);
  });

  it('the last record of a job wins (a job run again after --resume-failed)', () => {
    const s = scan(Buffer.concat([headerLine(FP), rec(1, 'a\n', '', 1), rec(2), rec(1, 'b\n', '', 0)]));
    if (s.kind !== 'journal') throw new Error(s.kind);
    expect(s.entries.get(1)).toMatchObject({ exitCode: 0, outBytes: 2 });
  });

  it('an empty file, or one cut inside the header, holds nothing yet', () => {
    const h = headerLine(FP);
    for (let cut = 0; cut < h.length; cut++)
      expect(scan(h.subarray(0, cut)).kind, `cut ${cut}`).toBe('empty');
    expect(seqs(scan(h))).toEqual([]);
  });

  it('a file that does not start like a journal is foreign', () => {
    expect(scan(Buffer.from('id,name\n1,a\n')).kind).toBe('foreign');
    expect(scan(Buffer.from('weft')).kind).toBe('empty'); // a cut header
    expect(scan(Buffer.from(`${MAGIC}not-hex\n`)).kind).toBe('foreign');
    expect(scan(Buffer.from('Seq\tHost\n')).kind).toBe('foreign');
  });

  it('writes one line of JSON per record that a person can read', () => {
    const line = rec(7).toString().split('\n')[0];
    expect(line).toMatch(
      /^[0-9a-f]{16} \{"seq":7,"off":70,"hash":"a{64}","exit":0,"sig":0,"out":5,"err":0\}$/,
    );
    expect(readFileSync(join(dir, 'j')).length).toBeGreaterThan(0);
  });
});
