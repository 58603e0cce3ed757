import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorAt } from '../../../src/chunk/formats/json-check.js';
import { formatChunks, newChunkStats } from '../../../src/chunk/formats/index.js';
import { WeftError } from '../../../src/errors.js';
import { opts, stream } from './helpers.js';

const valid = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
const check = (text: string) => {
  // Surrounded by other bytes, so a read past the record's end would show.
  const b = Buffer.from(`1"[${text}}x`);
  return jsonErrorAt(b, 3, b.length - 2);
};

describe('jsonErrorAt: one JSON value per line, checked without JSON.parse', () => {
  it('accepts every JSON value, in any layout', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (v, indent) => {
        expect(check(JSON.stringify(v, null, indent))).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with JSON.parse on arbitrary text built from JSON-ish pieces', () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"',
      '\\',
      '\\u00e9',
      '\\x',
      'a',
      '1',
      '-',
      '0',
      '.',
      'e',
      '+',
      'true',
      'tru',
      'null',
      'false',
      ' ',
      '\t',
      '"k"',
      '01',
      '1.',
      '.5',
      '1e',
      '\u0001',
      'é',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        if (text.trim() === '') return; // blank lines are the caller's business
        expect(check(text) === -1).toBe(valid(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('points at the first wrong byte, or at the end when the value is cut short', () => {
    expect(check('{"a":1,}')).toBe(3 + 7);
    expect(check('[1,2')).toBe(3 + 4);
    expect(check('{"a":1} x')).toBe(3 + 8);
    expect(check('"\u0001"')).toBe(3 + 1);
    expect(check('['.repeat(50_000) + ']'.repeat(50_000))).toBe(-1);
  });
});

describe('--format ndjson checks every line', () => {
  const run = async (text: string, onBadRecord?: 'skip') => {
    const stats = newChunkStats();
    let out = '';
    for await (const c of formatChunks(
      stream([Buffer.from(text)]),
      opts({ format: 'ndjson', onBadRecord }),
      stats,
    ))
      out += c.data.toString();
    return { out, stats };
  };

  it('a bad line stops the run with its line, record and byte offset', async () => {
    const err = await run('{"a":1}\n\n{bad\n{"a":2}\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).describe()).toBe(
      "in:3: invalid JSON: unexpected 'b' at column 2 (record 3, line 3, byte 9); --on-bad-record skip or quarantine FILE to go on",
    );
  });

  it('with skip, good lines (blank ones and CRLF included) pass through as they are', async () => {
    const { out, stats } = await run('{"a":1}\r\n\n{bad\n[1, 2]\n"s"', 'skip');
    expect(out).toBe('{"a":1}\r\n\n[1, 2]\n"s"');
    expect(stats.skipped).toBe(1);
  });
});
