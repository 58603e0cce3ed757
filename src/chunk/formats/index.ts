// Format-aware, record-safe chunkers for pipe mode (--format csv|tsv|json|ndjson|lines).

/** Cuts a byte stream into chunks of whole records (see chunker.ts). */
export { formatChunks } from './chunker.js';
/** The same chunks, faster, when no record needs looking at by itself (see fast-split.ts). */
export { canSplitFast, fastSplit, fastSplitRanges, type FastChunk } from './fast-split.js';
/** Format implied by a file name; whether a name means gzip. */
export { formatFromPath, isGzipPath } from './detect.js';
/** Transparent gzip decompression (.gz files, or gzip magic on stdin). */
export { gunzipIfNeeded } from './gunzip.js';
/** The quote-aware CSV record boundary scanner (exported for benchmarks and tests). */
export { CsvScanner, countCsvRecords } from './csv-scan.js';
/** Key hashing: which partition a `--key` value lands in. */
export { hashKey, partitionOf } from './partition.js';
/** Number of key partitions when `partitions` is not given. */
export { DEFAULT_PARTITIONS } from './options.js';
/** Options, chunks and counters. */
export {
  newChunkStats,
  type BadRecord,
  type BadRecordPolicy,
  type Chunk,
  type ChunkOptions,
  type ChunkStats,
  type Format,
} from './types.js';
