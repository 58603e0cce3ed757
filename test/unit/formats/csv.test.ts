import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { newChunkStats, type Chunk } from '../../../src/chunk/formats/index.js';
import { chunksOf, cutPoints, failure, opts, texts, within } from './helpers.js';

const plainChar = fc.constantFrom('a', 'b', 'Z', '1', ' ', 'é', '中', '😀', '[', '{');
const quotedChar = fc.constantFrom('a', ',', '\t', '"', '\n', '\r\n', 'é', '😀', ' ', ']', '}');

/** A random CSV/TSV table, with its exact records (header first) and the input bytes. */
const table = (delim: string) =>
  fc
    .record({
      header: fc.array(fc.string({ unit: plainChar, minLength: 1, maxLength: 6 }), {
        minLength: 1,
        maxLength: 4,
      }),
      rows: fc.array(
        fc.array(
          fc.oneof(
            fc.string({ unit: plainChar, maxLength: 8 }),
            fc.string({ unit: quotedChar, maxLength: 8 }).map((s) => `"${s.replaceAll('"', '""')}"`),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        { maxLength: 25 },
      ),
      eol: fc.constantFrom('\n', '\r\n'),
      bom: fc.boolean(),
      finalEol: fc.boolean(),
    })
    .map(({ header, rows, eol, bom, finalEol }) => {
      const records = [header.join(delim) + eol];
      rows.forEach((r, i) => {
        const last = i === rows.length - 1;
        const text = r.join(delim) + (last && !finalEol ? '' : eol);
        if (text !== '') records.push(text);
      });
      const input = Buffer.from((bom ? '\uFEFF' : '') + records.join(''));
      return { records, input, bom };
    });

/** Checks that `chunks` are whole, consecutive records of `records` (header first) with right metadata. */
function checkChunks(chunks: Chunk[], records: string[], bomLen: number, delimiter: string) {
  const [header, ...body] = records;
  let next = 0;
  let offset = bomLen + Buffer.byteLength(header);
  for (const c of chunks) {
    const text = c.data.toString();
    expect(text.startsWith(header)).toBe(true);
    expect(c.firstRecord).toBe(next);
    expect(c.offset).toBe(offset);
    const expected = body.slice(next, next + c.records).join('');
    expect(text.slice(header.length)).toBe(expected);
    // An independent parser sees the header plus exactly c.records rows.
    const rows = parse(c.data, { delimiter, relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
    expect(rows.length).toBe(c.records + 1);
    next += c.records;
    offset += Buffer.byteLength(expected);
  }
  expect(next).toBe(body.length);
}

describe('CSV/TSV chunks (property)', () => {
  for (const [format, delim] of [
    ['csv', ','],
    ['tsv', '\t'],
  ] as const) {
    it(`${format}: chunks are whole records that reassemble exactly (by block)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          table(delim),
          fc.integer({ min: 1, max: 200 }),
          cutPoints(),
          async (t, block, at) => {
            const chunks = await chunksOf(t.input, opts({ format, block }), within(at, t.input.length));
            checkChunks(chunks, t.records, t.bom ? 3 : 0, delim);
            const headerLen = Buffer.byteLength(t.records[0]);
            for (const c of chunks)
              if (c.records > 1) expect(c.data.length - headerLen).toBeLessThanOrEqual(block);
            // Reassembly: header once, then every chunk minus its header = the input minus the BOM.
            const joined =
              t.records[0] + chunks.map((c) => c.data.toString().slice(t.records[0].length)).join('');
            expect(Buffer.from(joined)).toEqual(t.input.subarray(t.bom ? 3 : 0));
          },
        ),
        { numRuns: 150 },
      );
    });

    it(`${format}: exactly N records per chunk`, async () => {
      await fc.assert(
        fc.asyncProperty(table(delim), fc.integer({ min: 1, max: 7 }), cutPoints(), async (t, n, at) => {
          const chunks = await chunksOf(t.input, opts({ format, records: n }), within(at, t.input.length));
          checkChunks(chunks, t.records, t.bom ? 3 : 0, delim);
          chunks.slice(0, -1).forEach((c) => expect(c.records).toBe(n));
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe('CSV chunks', () => {
  const input = 'id,name\n1,"a, b"\n2,"multi\nline"\n3,"say ""hi"""\n4,x\n';

  it('gives every chunk the header row', async () => {
    expect(await texts(input, opts({ format: 'csv', records: 2 }))).toEqual([
      'id,name\n1,"a, b"\n2,"multi\nline"\n',
      'id,name\n3,"say ""hi"""\n4,x\n',
    ]);
  });

  it('drops a BOM, keeps CRLF, and counts offsets in input bytes', async () => {
    const chunks = await chunksOf('\uFEFFh1,h2\r\n"x\r\ny",1\r\nz,2', opts({ format: 'csv', records: 1 }));
    expect(chunks.map((c) => c.data.toString())).toEqual(['h1,h2\r\n"x\r\ny",1\r\n', 'h1,h2\r\nz,2']);
    expect(chunks.map((c) => [c.firstRecord, c.offset, c.records])).toEqual([
      [0, 10, 1],
      [1, 20, 1],
    ]);
  });

  it('yields nothing for empty input or a header alone', async () => {
    expect(await texts('', opts({ format: 'csv' }))).toEqual([]);
    expect(await texts('a,b\n', opts({ format: 'csv' }))).toEqual([]);
    expect(await texts('\uFEFF', opts({ format: 'csv' }))).toEqual([]);
  });

  it('keeps a record bigger than the block whole, in a chunk of its own', async () => {
    const big = `h\n"${'x\n'.repeat(50)}"\ny\n`;
    expect(await texts(big, opts({ format: 'csv', block: 10 }), [5, 17, 40])).toEqual([
      `h\n"${'x\n'.repeat(50)}"\n`,
      'h\ny\n',
    ]);
  });

  it('reports an unclosed quote with the line and byte offset where the record started', async () => {
    const bad = 'a,b\n1,2\n3,"oops\n4,5\n6,7\n';
    const err = await failure(bad, opts({ format: 'csv', name: 'data.csv' }), [9, 14]);
    expect(err).toBeInstanceOf(WeftError);
    const e = err as WeftError;
    expect(e.code).toBe('E_RECORD');
    expect(e.location).toMatchObject({ file: 'data.csv', line: 3, offset: 8, record: 2 });
    expect(e.message).toMatch(/unclosed quote/);
    expect(e.describe()).toMatch(/^data\.csv:3: unclosed quote/);
  });

  it('counts lines inside earlier quoted fields for the error line', async () => {
    const err = (await failure('h\n"a\nb\nc"\n"open\n', opts({ format: 'csv' }))) as WeftError;
    expect(err.location).toMatchObject({ line: 5, offset: 10, record: 2 });
  });

  it('an unclosed quote in the header is always an error', async () => {
    const err = (await failure('"a,b\n1,2\n', opts({ format: 'csv', onBadRecord: 'skip' }))) as WeftError;
    expect(err.code).toBe('E_CSV');
  });

  it('skips or quarantines the unclosed record when asked', async () => {
    const bad = 'a,b\n1,2\n3,"oops\n4,5\n';
    const stats = newChunkStats();
    const seen: number[] = [];
    stats.onBadRecord = (b) => seen.push(b.line!);
    const chunks = await chunksOf(bad, opts({ format: 'csv', onBadRecord: 'skip' }), [], stats);
    expect(chunks.map((c) => c.data.toString())).toEqual(['a,b\n1,2\n']);
    expect(stats).toMatchObject({ skipped: 1, quarantined: 0, records: 1, chunks: 1 });
    expect(seen).toEqual([3]);

    const file = join(tmpdir(), `weft-quarantine-${process.pid}-${Date.now()}.csv`);
    try {
      const qs = newChunkStats();
      await chunksOf(bad, opts({ format: 'csv', onBadRecord: { quarantine: file } }), [3], qs);
      expect(qs).toMatchObject({ skipped: 0, quarantined: 1 });
      expect(await readFile(file, 'utf8')).toBe('3,"oops\n4,5\n');
    } finally {
      await rm(file, { force: true });
    }
  });
});
