import { crypto } from '../builtins.js';
import { readSync } from 'node:fs';

/**
 * The journal's file format (docs/reliability.md). A header line, then one record per
 * finished job, appended and never rewritten:
 *
 *     weft-journal 1 <fingerprint>\n
 *     <sum> {"seq":3,"off":2048,"hash":"…","exit":0,"sig":0,"out":12,"err":0}\n<stdout><stderr>
 *
 * `sum` is the first 16 hex digits of sha256(JSON + "\n" + stdout + stderr): a record that a
 * kill or a power cut cut short, or that holds bytes that never reached the disk, fails it.
 * Reading stops at the first record that is incomplete or fails its sum.
 */
export const MAGIC = 'weft-journal 1 ';

/** A finished job as the journal holds it; its output stays in the file until replayed. */
export interface JournalEntry {
  seq: number;
  /** The chunk's byte offset (pipe mode); null for argument jobs. */
  offset: number | null;
  /** sha256 (hex) of the job's input: arguments and stdin chunk (see contentHash). */
  hash: string;
  exitCode: number;
  signal: number;
  /** File position of the job's stdout; its stderr follows. */
  at: number;
  outBytes: number;
  errBytes: number;
}

/** The header line of a journal written for the job with this fingerprint. */
export const headerLine = (fingerprint: string): Buffer => Buffer.from(`${MAGIC}${fingerprint}\n`);

const sumOf = (body: string, payload: readonly Buffer[]): string => {
  const h = crypto().createHash('sha256').update(body).update('\n');
  for (const b of payload) h.update(b);
  return h.digest('hex').slice(0, 16);
};

/** One record: the line and the output, as one buffer so that a single write appends it. */
export function encodeRecord(
  e: Omit<JournalEntry, 'at' | 'outBytes' | 'errBytes'>,
  out: readonly Buffer[],
  err: readonly Buffer[],
): Buffer {
  const outBytes = out.reduce((n, b) => n + b.length, 0);
  const errBytes = err.reduce((n, b) => n + b.length, 0);
  const body = JSON.stringify({
    seq: e.seq,
    off: e.offset,
    hash: e.hash,
    exit: e.exitCode,
    sig: e.signal,
    out: outBytes,
    err: errBytes,
  });
  return Buffer.concat([Buffer.from(`${sumOf(body, [...out, ...err])} ${body}\n`), ...out, ...err]);
}

/** What a scan of a journal file found. */
export type JournalScan =
  | { kind: 'empty' }
  | { kind: 'foreign' }
  | {
      kind: 'journal';
      fingerprint: string;
      /** The last record of each job (a job run again after --resume-failed has several). */
      entries: Map<number, JournalEntry>;
      /** Where the last intact record ends: anything after it is a torn tail. */
      end: number;
    };

// A record line is short (about 160 bytes); a longer one is not a record.
const LINE_MAX = 4096;
const PIECE = 1 << 20;

/** Reads `n` bytes at `pos` (fewer at the end of the file). */
function readAt(fd: number, pos: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const r = readSync(fd, buf, got, n - got, pos + got);
    if (r === 0) break;
    got += r;
  }
  return got < n ? buf.subarray(0, got) : buf;
}

interface RecordLine {
  seq: number;
  off: number | null;
  hash: string;
  exit: number;
  sig: number;
  out: number;
  err: number;
}

const isRecord = (v: unknown): v is RecordLine => {
  const r = v as RecordLine;
  const n = (x: unknown) => Number.isSafeInteger(x);
  return (
    typeof v === 'object' &&
    v !== null &&
    n(r.seq) &&
    (r.off === null || n(r.off)) &&
    typeof r.hash === 'string' &&
    n(r.exit) &&
    n(r.sig) &&
    n(r.out) &&
    n(r.err) &&
    r.out >= 0 &&
    r.err >= 0
  );
};

/** The record at `pos`, or undefined when it is torn or damaged. */
function recordAt(fd: number, pos: number, size: number): { entry: JournalEntry; end: number } | undefined {
  const head = readAt(fd, pos, Math.min(LINE_MAX, size - pos));
  const nl = head.indexOf(10);
  if (nl < 18 || head[16] !== 32) return undefined;
  const sum = head.subarray(0, 16).toString('latin1');
  const body = head.subarray(17, nl).toString('utf8');
  let r: unknown;
  try {
    r = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(r)) return undefined;
  const at = pos + nl + 1;
  const end = at + r.out + r.err;
  if (end > size) return undefined;
  const h = crypto().createHash('sha256').update(body).update('\n');
  for (let p = at; p < end; p += PIECE) h.update(readAt(fd, p, Math.min(PIECE, end - p)));
  if (h.digest('hex').slice(0, 16) !== sum) return undefined;
  const entry: JournalEntry = {
    seq: r.seq,
    offset: r.off,
    hash: r.hash,
    exitCode: r.exit,
    signal: r.sig,
    at,
    outBytes: r.out,
    errBytes: r.err,
  };
  return { entry, end };
}

/**
 * Reads a journal file (open as `fd`, `size` bytes): its fingerprint and the intact records.
 * An empty file, or one cut inside its header line, is `empty` (nothing was recorded yet);
 * a file that does not start like a journal is `foreign` and must not be overwritten.
 */
export function scanJournal(fd: number, size: number): JournalScan {
  if (size === 0) return { kind: 'empty' };
  const head = readAt(fd, 0, Math.min(size, 256)).toString('latin1');
  const nl = head.indexOf('\n');
  const first = nl < 0 ? head : head.slice(0, nl);
  if (!first.startsWith(MAGIC))
    return MAGIC.startsWith(first) && nl < 0 ? { kind: 'empty' } : { kind: 'foreign' };
  const fingerprint = first.slice(MAGIC.length);
  if (nl < 0 || !/^[0-9a-f]{64}$/.test(fingerprint)) {
    return nl < 0 && /^[0-9a-f]{0,64}$/.test(fingerprint) ? { kind: 'empty' } : { kind: 'foreign' };
  }
  const entries = new Map<number, JournalEntry>();
  let pos = nl + 1;
  for (;;) {
    const r = pos < size ? recordAt(fd, pos, size) : undefined;
    if (!r) break;
    entries.set(r.entry.seq, r.entry);
    pos = r.end;
  }
  return { kind: 'journal', fingerprint, entries, end: pos };
}

/** A replayed job's stored stdout and stderr. */
export function readOutput(fd: number, e: JournalEntry): { stdout: Buffer; stderr: Buffer } {
  return {
    stdout: readAt(fd, e.at, e.outBytes),
    stderr: readAt(fd, e.at + e.outBytes, e.errBytes),
  };
}
