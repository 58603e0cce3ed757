import type { BadRecords } from './bad-records.js';
import type { ChunkBuilder } from './builder.js';
import type { KeyReader } from './keys.js';
import type { RecordSink } from './record.js';

/** 32-bit FNV-1a hash of a key's UTF-16 code units: stable across runs and platforms. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The partition (0 … partitions-1) a key belongs to. */
export function partitionOf(key: string, partitions: number): number {
  return hashKey(key) % partitions;
}

/**
 * `--key`: hash-partitions records. Every record with a given key goes to the same partition, so
 * one key never spans two partitions; but a partition is emitted as several chunks when it grows
 * past the chunk size (or record count), so one key may appear in several chunks of that
 * partition. Records are gathered per input piece, keyed in one batch, then copied into their
 * partition (copies, so partitions never pin large input buffers: memory stays bounded by
 * partitions x chunk size).
 */
export class KeyRouter implements RecordSink {
  private batch: Buffer[] = [];
  private index: number[] = [];
  private offset: number[] = [];
  private line: number[] = [];

  private readonly byIndex: (ChunkBuilder | undefined)[] = [];

  /**
   * `open(p)` makes the builder of partition p (on its first record, so many partitions cost
   * nothing until used); `terminate`: line records get a '\n' if they lack one (the last line).
   */
  constructor(
    private readonly reader: KeyReader,
    private readonly partitions: number,
    private readonly open: (partition: number) => ChunkBuilder,
    private readonly bad: BadRecords,
    private readonly terminate: boolean,
  ) {}

  record(buf: Buffer, start: number, end: number, index: number, offset: number, line: number): void {
    this.batch.push(buf.subarray(start, end));
    this.index.push(index);
    this.offset.push(offset);
    this.line.push(line);
  }

  /** Keys the records gathered since the last call and hands each to its partition. */
  route(): void {
    if (this.batch.length === 0) return;
    const { batch, index, offset, line } = this;
    this.batch = [];
    this.index = [];
    this.offset = [];
    this.line = [];
    const keys = this.reader.keys(batch);
    for (let k = 0; k < batch.length; k++) {
      const key = keys[k];
      if (key === null) continue;
      if (typeof key !== 'string') {
        this.bad.handle(batch[k], key.bad, { line: line[k], index: index[k], offset: offset[k] });
        continue;
      }
      const r = batch[k];
      const missingNewline = this.terminate && (r.length === 0 || r[r.length - 1] !== 10);
      const copy = Buffer.allocUnsafeSlow(r.length + (missingNewline ? 1 : 0));
      r.copy(copy);
      if (missingNewline) copy[r.length] = 10;
      const p = partitionOf(key, this.partitions);
      const builder = (this.byIndex[p] ??= this.open(p));
      builder.record(copy, 0, copy.length, index[k], offset[k]);
    }
  }
}
