/** Input formats the record-safe chunkers understand. */
export type Format = 'csv' | 'tsv' | 'json' | 'ndjson' | 'lines';

/** What to do with a record that cannot be read: stop, drop it, or append it to a file. */
export type BadRecordPolicy = 'fail' | 'skip' | { quarantine: string };

/** How `formatChunks` cuts its input. */
export interface ChunkOptions {
  format: Format;
  /** Records per chunk; when undefined, chunks are cut by `block`. */
  records?: number;
  /** Approximate bytes per chunk (records only; header and brackets not counted); used when `records` is undefined. */
  block: number;
  /** Flush a partial chunk once this many ms have passed since its first record arrived (live input). */
  windowMs?: number;
  /** Field (json/ndjson; dotted paths allowed), or column name / 1-based number (csv/tsv) to partition by. */
  key?: string;
  /** Number of key partitions (default 16). */
  partitions?: number;
  /** Repeat the last N records of a chunk at the start of the next one (after the header). */
  overlap?: number;
  /** JSON input: every chunk is a JSON array (default) or NDJSON, one element per line. */
  emit?: 'json' | 'ndjson';
  /** Bad records (unclosed CSV quote, unparsable line or row when keying): fail (default), skip, quarantine. */
  onBadRecord?: BadRecordPolicy;
  /** Input name for error messages ('stdin' or a path). */
  name: string;
}

/**
 * One chunk of whole records. `data` is ready to feed to a job: CSV/TSV chunks start with the
 * header row, JSON chunks are arrays (or NDJSON with `emit: 'ndjson'`).
 */
export interface Chunk {
  data: Buffer;
  /** Records in `data` (header excluded; repeated overlap records included). */
  records: number;
  /** 0-based index of the first record in `data` among the input's records (header excluded). */
  firstRecord: number;
  /** Byte offset in the (decompressed) input where the first record in `data` starts. */
  offset: number;
  /** Key partition, with `key` only. */
  key?: number;
  /** How many records at the start of `data` repeat the previous chunk's (with `overlap`). */
  overlap?: number;
}

/** A record that was skipped or quarantined, as passed to `ChunkStats.onBadRecord`. */
export interface BadRecord {
  reason: string;
  /** 1-based line where the record starts. */
  line?: number;
  /** 1-based record number (header excluded). */
  record: number;
  offset: number;
  data: Buffer;
}

/** Counters `formatChunks` keeps up to date while it runs; pass one in to read them. */
export interface ChunkStats {
  /** Records yielded in chunks (header, overlap repeats and bad records not counted). */
  records: number;
  /** Chunks yielded. */
  chunks: number;
  /** Bad records dropped (`onBadRecord: 'skip'`). */
  skipped: number;
  /** Bad records appended to the quarantine file. */
  quarantined: number;
  /** Called for every skipped or quarantined record (e.g. to print a warning). */
  onBadRecord?: (bad: BadRecord) => void;
}

/** Fresh counters for `formatChunks`. */
export function newChunkStats(onBadRecord?: (bad: BadRecord) => void): ChunkStats {
  return { records: 0, chunks: 0, skipped: 0, quarantined: 0, onBadRecord };
}
