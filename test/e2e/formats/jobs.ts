// Job scripts for the format e2e tests: each reads one chunk on stdin and prints one line,
// `CHUNK {json}`, describing what it got (records, ids, keys, bytes), so a test can check every
// chunk on its own. They parse independently of weft (a tiny RFC 4180 reader, JSON.parse).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, tempDir } from '../helpers.js';

const READ = `const input = require('fs').readFileSync(0);\n`;

/**
 * csv-chunk.cjs SEP KEYCOL: parses the chunk as CSV (SEP "tab" for TSV). Prints the header row,
 * the record count, the first field of each record (ids), the distinct values of column KEYCOL
 * (0-based), the bytes after the header row, and whether a quote was left open.
 */
const CSV_CHUNK = `${READ}
const sep = process.argv[2] === 'tab' ? '\\t' : ',';
const keyCol = Number(process.argv[3] ?? 0);
const text = input.toString('utf8');
const rows = [];
let row = [], field = '', quoted = false, i = 0, headerEnd = -1;
for (; i < text.length; i++) {
  const c = text[i];
  if (quoted) {
    if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
    else if (c === '"') quoted = false;
    else field += c;
  } else if (c === '"') quoted = true;
  else if (c === sep) { row.push(field); field = ''; }
  else if (c === '\\n') {
    row.push(field.replace(/\\r$/, '')); rows.push(row); row = []; field = '';
    if (headerEnd < 0) headerEnd = Buffer.byteLength(text.slice(0, i + 1));
  } else field += c;
}
if (field !== '' || row.length) { row.push(field); rows.push(row); }
const [header, ...records] = rows;
console.log('CHUNK ' + JSON.stringify({
  header: (header ?? []).join('|'),
  n: records.length,
  ids: records.map((r) => r[0]),
  keys: [...new Set(records.map((r) => r[keyCol]))].sort(),
  fields: records.map((r) => r.length),
  notes: records.map((r) => r[r.length - 1].replace(/\\r/g, '')),
  bytes: input.length - (headerEnd < 0 ? input.length : headerEnd),
  open: quoted,
}));
`;

/** json-chunk.cjs: JSON.parses the chunk; prints whether it is an array, its length and the ids. */
const JSON_CHUNK = `${READ}
let v;
try { v = JSON.parse(input.toString('utf8')); }
catch (e) { console.log('BAD ' + JSON.stringify(e.message)); process.exit(0); }
const a = Array.isArray(v) ? v : [];
const key = process.argv[2];
console.log('CHUNK ' + JSON.stringify({
  array: Array.isArray(v),
  n: a.length,
  ids: a.map((e) => e && e.id),
  keys: key ? [...new Set(a.map((e) => e[key]))].sort() : [],
  bytes: input.length,
  elements: a,
}));
`;

/**
 * ndjson-chunk.cjs FIELD: JSON.parses every non-blank line; prints the count, the ids, the
 * distinct values of FIELD (a dotted path), whether every line was one compact value, and the
 * values themselves.
 */
const NDJSON_CHUNK = `${READ}
const path = (process.argv[2] ?? 'id').split('.');
const text = input.toString('utf8');
const ls = text.split('\\n').filter((l) => l.trim() !== '');
const vals = [];
let bad = 0;
for (const l of ls) { try { vals.push(JSON.parse(l)); } catch { bad++; } }
const get = (o) => path.reduce((v, p) => (v == null ? v : v[p]), o);
console.log('CHUNK ' + JSON.stringify({
  n: vals.length,
  bad,
  ids: vals.map((v) => v && v.id),
  keys: [...new Set(vals.map(get))].sort(),
  compact: ls.every((l) => !/^\\s|\\s$/.test(l) && !l.includes('\\r')),
  endsWithNewline: text.endsWith('\\n'),
  values: vals,
}));
`;

/** The directory holding the job scripts, and the commands that run them. */
export interface Jobs {
  dir: string;
  csv: (keyCol?: number) => string;
  tsv: (keyCol?: number) => string;
  json: (key?: string) => string;
  ndjson: (field?: string) => string;
}

export function jobScripts(): Jobs {
  const dir = tempDir();
  writeFileSync(join(dir, 'csv-chunk.cjs'), CSV_CHUNK);
  writeFileSync(join(dir, 'json-chunk.cjs'), JSON_CHUNK);
  writeFileSync(join(dir, 'ndjson-chunk.cjs'), NDJSON_CHUNK);
  const node = `'${process.execPath}'`;
  return {
    dir,
    csv: (k = 0) => `${node} '${join(dir, 'csv-chunk.cjs')}' comma ${k}`,
    tsv: (k = 0) => `${node} '${join(dir, 'csv-chunk.cjs')}' tab ${k}`,
    json: (key) => `${node} '${join(dir, 'json-chunk.cjs')}'${key ? ` ${key}` : ''}`,
    ndjson: (field = 'id') => `${node} '${join(dir, 'ndjson-chunk.cjs')}' ${field}`,
  };
}

/** What a CSV/TSV chunk job reported. */
export interface CsvChunk {
  header: string;
  n: number;
  ids: string[];
  keys: string[];
  fields: number[];
  notes: string[];
  bytes: number;
  open: boolean;
}

/** What a JSON chunk job reported. */
export interface JsonChunk {
  array: boolean;
  n: number;
  ids: unknown[];
  keys: unknown[];
  bytes: number;
  elements: unknown[];
}

/** What an NDJSON chunk job reported. */
export interface NdjsonChunk {
  n: number;
  bad: number;
  ids: unknown[];
  keys: unknown[];
  compact: boolean;
  endsWithNewline: boolean;
  values: unknown[];
}

/** The `CHUNK {json}` reports in weft's stdout, in output order; any other line fails the test. */
export function chunks<T>(stdout: string): T[] {
  return lines(stdout).map((l) => {
    if (!l.startsWith('CHUNK ')) throw new Error(`not a chunk report: ${l}`);
    return JSON.parse(l.slice(6)) as T;
  });
}
