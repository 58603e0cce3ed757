import { WeftError } from '../../errors.js';

/** A record's key; `{ bad }` for a record whose key cannot be read; null to drop (a blank NDJSON line). */
export type KeyResult = string | { bad: string } | null;

/** Reads partition keys from records. */
export interface KeyReader {
  /** Takes the header row (CSV/TSV) before any record; throws if the key column is not in it. */
  header?(row: Buffer): void;
  /** The keys of a batch of records, in order. */
  keys(records: Buffer[]): KeyResult[];
}

/** The text a key value hashes as: strings as they are, anything else as JSON (missing → 'null'). */
export function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** `obj[field]`, or a dotted path (`a.b.c`) when there is no such field. */
export function lookup(obj: unknown, field: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, field)) return (obj as Record<string, unknown>)[field];
  if (!field.includes('.')) return undefined;
  let v: unknown = obj;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, part))
      return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Keys of JSON records (array elements or NDJSON lines) by field, one JSON.parse each. */
export function jsonKeyReader(field: string, blankLines: boolean): KeyReader {
  return {
    keys(records) {
      return records.map((r) => {
        const text = r.toString('utf8');
        if (blankLines && text.trim() === '') return null;
        try {
          return keyText(lookup(JSON.parse(text), field));
        } catch (err) {
          // V8 quotes the input in its message: keep the one-line error on one line.
          return { bad: `invalid JSON: ${(err as Error).message.replace(/\s+/g, ' ')}` };
        }
      });
    },
  };
}

type CsvParse = (input: Buffer, options: Record<string, unknown>) => string[][];

/**
 * Keys of CSV/TSV records by column (a header name, else a 1-based number), parsed with
 * csv-parse: a whole batch in one call, falling back to one call per record when the batch has
 * an error, so that only the bad records are singled out.
 */
export async function csvKeyReader(key: string, delimiter: string): Promise<KeyReader> {
  // Loaded only for --key on CSV: the splitter itself never builds fields.
  const { parse } = (await import('csv-parse/sync')) as unknown as { parse: CsvParse };
  const options = {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    record_delimiter: ['\r\n', '\n'],
  };
  let column = -1;
  let label = key;
  const field = (row: string[]): KeyResult =>
    column < row.length ? row[column] : { bad: `no column ${label} (the row has ${row.length} fields)` };
  return {
    header(row) {
      let names: string[] = [];
      try {
        names = parse(row, options)[0] ?? [];
      } catch {
        // Not a parsable header row: only a column number can work.
      }
      column = names.indexOf(key);
      if (column < 0 && /^[1-9]\d*$/.test(key)) column = Number(key) - 1;
      if (column < 0) {
        throw new WeftError(
          'E_OPTION',
          `--key ${key}: no such column in the header (${names.map((n) => JSON.stringify(n)).join(', ')})`,
        );
      }
      label = names[column] !== undefined && names[column] === key ? JSON.stringify(key) : `${column + 1}`;
    },
    keys(records) {
      if (records.length === 0) return [];
      try {
        const rows = parse(Buffer.concat(records), options);
        if (rows.length === records.length) return rows.map(field);
      } catch {
        // Some record is bad: find out which, one by one.
      }
      return records.map((r) => {
        try {
          const rows = parse(r, options);
          return rows.length === 1 ? field(rows[0]) : { bad: `not one CSV row (${rows.length} rows)` };
        } catch (err) {
          return { bad: `invalid CSV: ${(err as Error).message}` };
        }
      });
    },
  };
}
