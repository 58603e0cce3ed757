import { Readable } from 'node:stream';
import { WeftError } from '../errors.js';
import { decodeRaw, encodeRaw } from '../raw-text.js';
import type { ColumnMode } from '../spec/types.js';
import { splitRecords } from './records.js';

/** Raw input of one source: literal values, or a byte stream with a name for errors. */
export type RawInput = { values: string[] } | { stream: AsyncIterable<Buffer | string>; name: string };

/** What a csv-parse error code means, in weft's words. */
const CSV_PROBLEMS: Record<string, (column?: number) => string> = {
  CSV_QUOTE_NOT_CLOSED: () => 'unterminated quoted field',
  INVALID_OPENING_QUOTE: (c) => `a quote inside unquoted field ${c}`,
  CSV_INVALID_CLOSING_QUOTE: (c) => `text after the closing quote of field ${c}`,
};

/** Maps a csv-parse error (they carry `code` and `lines`) to a located WeftError. */
function csvError(name: string, err: unknown): WeftError {
  const e = err as { code: string; lines?: number; column?: number; message?: string };
  const column = e.column === undefined ? undefined : e.column + 1;
  const what = CSV_PROBLEMS[e.code]?.(column) ?? (e.message ?? String(err)).split('\n')[0];
  return new WeftError('E_CSV', `${what} (CSV input)`, {
    location: { file: name, line: e.lines },
    cause: err,
  });
}

const isCsvError = (err: unknown): boolean =>
  typeof (err as { code?: unknown })?.code === 'string' &&
  typeof (err as { lines?: unknown }).lines === 'number';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The bytes of `stream` without a leading UTF-8 BOM (csv-parse would decode all text as UTF-8 once it saw one). */
async function* withoutBom(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? encodeRaw(chunk) : chunk;
    if (!head) {
      yield b;
      continue;
    }
    head = Buffer.concat([head, b]);
    if (head.length < BOM.length) continue;
    yield head.subarray(0, 3).equals(BOM) ? head.subarray(3) : head;
    head = undefined;
  }
  if (head?.length) yield head.subarray(0, 3).equals(BOM) ? head.subarray(3) : head;
}

async function* csvRows(input: RawInput, delimiter: string): AsyncGenerator<string[]> {
  const name = 'values' in input ? 'arguments' : input.name;
  // Loaded only for --csv: it costs start-up time every other run would pay for nothing.
  const { parse } = await import('csv-parse');
  const source =
    'values' in input
      ? Readable.from(input.values.map((v) => encodeRaw(v + '\n')))
      : Readable.from(withoutBom(input.stream));
  // Fields come back as bytes (encoding: null) so that bytes which are not UTF-8 survive.
  const parser = source.pipe(
    parse({
      delimiter: encodeRaw(delimiter),
      encoding: null,
      relax_column_count: true,
      bom: false,
      skip_empty_lines: false,
    }),
  );
  source.on('error', (err) => parser.destroy(err));
  try {
    for await (const row of parser) yield (row as Uint8Array[]).map(decodeRaw);
  } catch (err) {
    if (err instanceof WeftError) throw err;
    if (isCsvError(err)) throw csvError(name, err);
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
