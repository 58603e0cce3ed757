import { WeftError } from '../../errors.js';
import type { BadRecordPolicy, ChunkOptions, Format } from './types.js';

/** ChunkOptions checked, with defaults filled in. */
export interface Checked {
  format: Format;
  records?: number;
  block: number;
  windowMs?: number;
  key?: string;
  partitions: number;
  overlap: number;
  emit: 'json' | 'ndjson';
  onBadRecord: BadRecordPolicy;
  name: string;
}

const FORMATS: readonly Format[] = ['csv', 'tsv', 'json', 'ndjson', 'lines'];

/** Default number of key partitions. */
export const DEFAULT_PARTITIONS = 16;

const isCount = (n: unknown, min: number): n is number => Number.isSafeInteger(n) && (n as number) >= min;

/** Validates `opts` (E_OPTION errors name the CLI flag) and fills in defaults. */
export function checkOptions(opts: ChunkOptions): Checked {
  const bad = (msg: string) => new WeftError('E_OPTION', msg);
  if (!FORMATS.includes(opts.format))
    throw bad(`--format: '${opts.format}' is not one of ${FORMATS.join(', ')}`);
  if (opts.records !== undefined && !isCount(opts.records, 1))
    throw bad(`--records: must be a whole number ≥ 1`);
  if (opts.records === undefined && !(Number.isFinite(opts.block) && opts.block >= 1)) {
    throw bad(`--block: must be at least 1 byte`);
  }
  if (opts.windowMs !== undefined && !(Number.isFinite(opts.windowMs) && opts.windowMs > 0)) {
    throw bad(`--window: must be a positive duration`);
  }
  const partitions = opts.partitions ?? DEFAULT_PARTITIONS;
  if (!isCount(partitions, 1)) throw bad(`partitions: must be a whole number ≥ 1`);
  const overlap = opts.overlap ?? 0;
  if (!isCount(overlap, 0)) throw bad(`--overlap: must be a whole number ≥ 0`);
  if (opts.key !== undefined) {
    if (opts.key === '') throw bad(`--key: needs a field or column name`);
    if (opts.format === 'lines')
      throw bad(`--key needs --format csv, tsv, json or ndjson (lines have no fields)`);
  }
  const emit = opts.emit ?? (opts.format === 'ndjson' ? 'ndjson' : 'json');
  if (
    opts.emit !== undefined &&
    opts.format !== 'json' &&
    !(opts.format === 'ndjson' && opts.emit === 'ndjson')
  ) {
    throw bad(`--emit ${opts.emit} applies to --format json input only`);
  }
  const policy = opts.onBadRecord ?? 'fail';
  if (typeof policy === 'object' && !policy.quarantine) throw bad(`--on-bad-record quarantine: needs a file`);
  return {
    format: opts.format,
    records: opts.records,
    block: opts.block,
    windowMs: opts.windowMs,
    key: opts.key,
    partitions,
    overlap,
    emit,
    onBadRecord: policy,
    name: opts.name,
  };
}
