import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { newChunkStats } from '../../../src/chunk/formats/index.js';
import { chunksOf, cutPoints, failure, opts, texts, within } from './helpers.js';

describe('lines and NDJSON chunks', () => {
  it('lines: any bytes reassemble exactly, cut only after newlines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b.map((x) => (x % 5 === 0 ? 10 : x)))),
        fc.integer({ min: 1, max: 64 }),
        cutPoints(),
        async (input, block, at) => {
          const chunks = await chunksOf(input, opts({ format: 'lines', block }), within(at, input.length));
          expect(Buffer.concat(chunks.map((c) => c.data))).toEqual(input);
          chunks.slice(0, -1).forEach((c) => expect(c.data[c.data.length - 1]).toBe(10));
          let offset = 0;
          let first = 0;
          for (const c of chunks) {
            expect([c.offset, c.firstRecord]).toEqual([offset, first]);
            offset += c.data.length;
            first += c.records;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('lines: passes invalid UTF-8 (and a BOM) through byte for byte', async () => {
    const input = Buffer.from([0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a, 0xe2, 0x82, 0x0a, 0x80]);
    const chunks = await chunksOf(input, opts({ format: 'lines', records: 1 }), [1, 4, 7, 10]);
    expect(chunks.map((c) => [...c.data])).toEqual([
      [0xef, 0xbb, 0xbf, 0xff, 0xfe, 0x0a],
      [0xc3, 0x28, 0x0a],
      [0xe2, 0x82, 0x0a],
      [0x80],
    ]);
  });

  it('ndjson: splits at newlines only, keeps CRLF, drops a BOM', async () => {
    expect(
      await texts('\uFEFF{"a":1}\r\n{"a":"x\\ny"}\n[1]\n', opts({ format: 'ndjson', records: 2 })),
    ).toEqual(['{"a":1}\r\n{"a":"x\\ny"}\n', '[1]\n']);
  });

  it('ndjson with --key: a bad line fails with its line number', async () => {
    const input = '{"k":1}\n{"k":2}\n{"k":\n{"k":3}\n';
    const err = (await failure(
      input,
      opts({ format: 'ndjson', key: 'k', name: 'in.ndjson' }),
      [3, 9],
    )) as WeftError;
    expect(err).toBeInstanceOf(WeftError);
    expect(err.code).toBe('E_RECORD');
    expect(err.location).toMatchObject({ file: 'in.ndjson', line: 3, record: 3, offset: 16 });
    expect(err.message).toMatch(/invalid JSON/);
  });

  it('ndjson with --key: bad lines are skipped or quarantined and counted', async () => {
    const input = '{"k":1}\nnope\n{"k":2}\n\n{"k":\n';
    const stats = newChunkStats();
    const chunks = await chunksOf(
      input,
      opts({ format: 'ndjson', key: 'k', onBadRecord: 'skip' }),
      [],
      stats,
    );
    expect(stats).toMatchObject({ skipped: 2, quarantined: 0, records: 2 });
    expect(chunks.map((c) => c.data.toString()).sort()).toEqual(['{"k":1}\n', '{"k":2}\n']);
  });
});
