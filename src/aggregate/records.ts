/** One map output line on its way to a reducer. */
export interface ShuffleRecord {
  /** The map chunk it came from; orders records with equal keys. */
  seq: number;
  /** The bytes before the first TAB (the whole line when there is none), as latin1 text. */
  key: string;
  /** The whole line, without its `\n`, exactly as the mapper wrote it, as latin1 text. */
  line: string;
}

/** Shuffle order: key bytes, then chunk seq (within a chunk, lines keep their order: sorts are stable). */
export function compareRecords(a: ShuffleRecord, b: ShuffleRecord): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.seq - b.seq;
}

/** A sorted stream of records read one at a time (a run file, or records in memory). */
export interface RecordSource {
  /** The current record; undefined before the first advance() and once exhausted. */
  readonly current: ShuffleRecord | undefined;
  /** Moves to the next record; synchronous while it has buffered records. */
  advance(): Promise<void> | void;
  /** Releases what it holds (idempotent). */
  close(): Promise<void>;
}

/** A RecordSource over an array already in order. */
export class ArraySource implements RecordSource {
  current: ShuffleRecord | undefined;
  private i = 0;
  constructor(private readonly records: ShuffleRecord[]) {}
  advance(): void {
    this.current = this.records[this.i++];
  }
  async close(): Promise<void> {}
}
