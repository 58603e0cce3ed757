import type { Format } from './types.js';

const BY_EXTENSION: Record<string, Format> = {
  csv: 'csv',
  tsv: 'tsv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

/** The format a file name implies: .csv .tsv .json .ndjson/.jsonl (a trailing .gz ignored), else 'lines'. */
export function formatFromPath(path: string): Format {
  const base = path.toLowerCase().replace(/\.gz$/, '');
  const m = /\.([a-z]+)$/.exec(base);
  return (m && BY_EXTENSION[m[1]]) || 'lines';
}

/** True if `path` names gzip-compressed input by its extension. */
export function isGzipPath(path: string): boolean {
  return /\.gz$/i.test(path);
}
