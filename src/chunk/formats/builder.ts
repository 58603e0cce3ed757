import type { Framing, RecordSink } from './record.js';
import type { Chunk } from './types.js';

/** When a chunk is complete, and how much of it repeats. */
export interface Limits {
  /** Exactly this many new records per chunk (the last may have fewer); else cut by `block`. */
  records?: number;
  /** Bytes of new records per chunk, at most (a single larger record makes a chunk of its own). */
  block: number;
  /** Records of the previous chunk repeated at the start of the next. */
  overlap: number;
  /** A partial chunk is due this many ms after its first record arrived. */
  windowMs?: number;
}

/** The last `size` records seen, oldest first. */
class Ring {
  private data: Buffer[] = [];
  private index: number[] = [];
  private offset: number[] = [];
  private head = 0;

  constructor(private readonly size: number) {}

  push(data: Buffer, index: number, offset: number): void {
    if (this.data.length < this.size) {
      this.data.push(data);
      this.index.push(index);
      this.offset.push(offset);
      return;
    }
    this.data[this.head] = data;
    this.index[this.head] = index;
    this.offset[this.head] = offset;
    this.head = (this.head + 1) % this.size;
  }

  /** Copies the records out (so they no longer pin big input buffers) and keeps the copies. */
  snapshot(): { data: Buffer[]; index: number; offset: number } {
    const n = this.data.length;
    const out: Buffer[] = [];
    for (let k = 0; k < n; k++) {
      const at = (this.head + k) % n;
      this.data[at] = Buffer.from(this.data[at]);
      out.push(this.data[at]);
    }
    return { data: out, index: this.index[this.head % n], offset: this.offset[this.head % n] };
  }
}

/**
 * Collects the records of one stream (the whole input, or one key partition) into chunks, and
 * pushes each finished chunk onto `out`. Records that are contiguous in one input buffer are kept
 * as one view (a "run"), so a chunk costs one copy, not one allocation per record.
 */
export class ChunkBuilder implements RecordSink {
  private runs: Buffer[] = [];
  private runBuf?: Buffer;
  private runStart = 0;
  private runEnd = 0;
  private count = 0;
  private bytes = 0;
  private firstIndex = 0;
  private firstOffset = 0;
  /** Date.now() when the current chunk got its first record. */
  private startedAt = 0;
  private readonly ring?: Ring;
  private carry: { data: Buffer[]; index: number; offset: number } = { data: [], index: 0, offset: 0 };

  constructor(
    private readonly framing: Framing,
    private readonly limits: Limits,
    private readonly out: Chunk[],
    private readonly key?: number,
  ) {
    if (limits.overlap > 0) this.ring = new Ring(limits.overlap);
  }

  /** Adds one record; emits the current chunk first if the record would overflow it. */
  record(buf: Buffer, start: number, end: number, index: number, offset: number): void {
    const len = end - start;
    const sepLen = this.framing.sep.length;
    if (
      this.count > 0 &&
      this.limits.records === undefined &&
      this.bytes + sepLen + len > this.limits.block
    ) {
      this.flush();
    }
    if (this.count === 0) {
      this.firstIndex = index;
      this.firstOffset = offset;
      if (this.limits.windowMs !== undefined) this.startedAt = Date.now();
      this.bytes = len;
    } else {
      this.bytes += sepLen + len;
    }
    if (this.runBuf === buf && start === this.runEnd + sepLen) {
      this.runEnd = end;
    } else {
      this.closeRun();
      this.runBuf = buf;
      this.runStart = start;
      this.runEnd = end;
    }
    this.count++;
    this.ring?.push(buf.subarray(start, end), index, offset);
    if (this.limits.records !== undefined && this.count >= this.limits.records) this.flush();
  }

  /** When the current partial chunk is due under `windowMs` (ms since the epoch), or undefined. */
  deadline(): number | undefined {
    return this.count > 0 && this.limits.windowMs !== undefined
      ? this.startedAt + this.limits.windowMs
      : undefined;
  }

  /** Emits the current chunk, if it has any new record. */
  flush(): void {
    if (this.count === 0) return;
    this.closeRun();
    const { prefix, sep, suffix } = this.framing;
    const parts: Buffer[] = [prefix];
    for (const d of this.carry.data) parts.push(d, sep);
    for (let i = 0; i < this.runs.length; i++) {
      if (i > 0) parts.push(sep);
      parts.push(this.runs[i]);
    }
    parts.push(suffix);
    const repeated = this.carry.data.length;
    const chunk: Chunk = {
      data: Buffer.concat(parts),
      records: repeated + this.count,
      firstRecord: repeated ? this.carry.index : this.firstIndex,
      offset: repeated ? this.carry.offset : this.firstOffset,
    };
    if (this.key !== undefined) chunk.key = this.key;
    if (this.ring) chunk.overlap = repeated;
    this.out.push(chunk);
    if (this.ring) this.carry = this.ring.snapshot();
    this.runs = [];
    this.runBuf = undefined;
    this.count = 0;
    this.bytes = 0;
  }

  private closeRun(): void {
    if (this.runBuf) this.runs.push(this.runBuf.subarray(this.runStart, this.runEnd));
    this.runBuf = undefined;
  }
}
