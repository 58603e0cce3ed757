import { Readable } from 'node:stream';
import { WeftError } from '../errors.js';
import type { ColumnMode } from '../spec/types.js';
import { splitRecords } from './records.js';

/** Raw input of one source: literal values, or a byte stream with a name for errors. */
export type RawInput = { values: string[] } | { stream: AsyncIterable<Buffer | string>; name: string };

/** Maps a csv-parse error to a located WeftError. */
function csvError(name: string, err: unknown): WeftError {
  const e = err as { code?: string; lines?: number; message?: string };
  const what = e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'unterminated quoted field' : (e.message ?? String(err));
  return new WeftError('E_CSV', `${what} (CSV input)`, {
    location: { file: name, line: e.lines },
    cause: err,
  });
}

async function* csvRows(input: RawInput, delimiter: string): AsyncGenerator<string[]> {
  const name = 'values' in input ? 'arguments' : input.name;
  // Loaded only for --csv: it costs start-up time every other run would pay for nothing.
  const { parse } = await import('csv-parse');
  const source =
    'values' in input ? Readable.from(input.values.map((v) => v + '\n')) : Readable.from(input.stream);
  const parser = source.pipe(
    parse({ delimiter, relax_column_count: true, bom: true, skip_empty_lines: false }),
  );
  source.on('error', (err) => parser.destroy(err));
  try {
    for await (const row of parser) yield row as string[];
  } catch (err) {
    if (err instanceof WeftError) throw err;
    if ((err as { code?: string }).code?.startsWith('CSV_')) throw csvError(name, err);
    throw err;
  }
}

/**
 * Turns one source into rows of columns: one column per record, columns split by
 * `--colsep` REGEX, or CSV fields (quoted commas and newlines kept) with `--csv`.
 */
export async function* toRows(
  input: RawInput,
  delimiter: string,
  mode: ColumnMode,
  trim: (s: string) => string,
): AsyncGenerator<string[]> {
  if (mode.kind === 'csv') {
    for await (const row of csvRows(input, mode.delimiter)) yield row.map(trim);
    return;
  }
  const records = 'values' in input ? input.values : splitRecords(input.stream, delimiter);
  if (mode.kind === 'colsep') {
    const re = new RegExp(mode.pattern);
    for await (const r of records) yield r.split(re).map(trim);
  } else {
    for await (const r of records) yield [trim(r)];
  }
}
