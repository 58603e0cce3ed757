import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { formatChunks, type Chunk } from '../../../src/chunk/formats/index.js';
import { chunksOf, cut, cutPoints, failure, opts, stream, texts, within } from './helpers.js';

const nasty = fc.constantFrom(
  'a',
  'b',
  '[',
  ']',
  '{',
  '}',
  '"',
  '\\',
  ',',
  ':',
  'é',
  '😀',
  ' ',
  '\n',
  '/',
  '\u2028',
);
const ws = fc.constantFrom('', ' ', '\n', '\r\n  ', '\t');

/** JSON text for `v` in one of several styles (compact, indented, \u-escaped non-ASCII, escaped '/'). */
function ser(v: unknown, style: number): string {
  const text = JSON.stringify(v, null, style === 1 ? 2 : undefined);
  if (style !== 2) return text;
  // Re-escape inside strings only: non-ASCII as \uXXXX and '/' as '\/' (both valid JSON).
  return text.replace(/"(?:[^"\\]|\\.)*"/g, (s) =>
    s.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/'),
  );
}

/** A random JSON array text with its exact element texts (whitespace around elements included). */
const jsonArray = fc
  .record({
    elems: fc.array(
      fc.record({
        value: fc.jsonValue({ maxDepth: 3, stringUnit: nasty }),
        style: fc.integer({ min: 0, max: 2 }),
        before: ws,
        after: ws,
      }),
      { maxLength: 20 },
    ),
    lead: ws,
    inner: ws,
    trail: ws,
    bom: fc.boolean(),
  })
  .map(({ elems, lead, inner, trail, bom }) => {
    const records = elems.map((e) => e.before + ser(e.value, e.style) + e.after);
    const body = records.length ? records.join(',') : inner;
    const text = `${lead}[${body}]${trail}`;
    return {
      records,
      input: Buffer.from((bom ? '\uFEFF' : '') + text),
      pre: (bom ? 3 : 0) + Buffer.byteLength(lead) + 1,
    };
  });

/** Checks chunks are consecutive whole elements, exactly as in the input. */
function checkArrays(chunks: Chunk[], records: string[], pre: number) {
  let next = 0;
  let offset = pre;
  for (const c of chunks) {
    const mine = records.slice(next, next + c.records);
    expect(c.data.toString()).toBe(`[${mine.join(',')}]`);
    expect(JSON.parse(c.data.toString())).toEqual(JSON.parse(`[${mine.join(',')}]`));
    expect(c.firstRecord).toBe(next);
    expect(c.offset).toBe(offset);
    offset += Buffer.byteLength(mine.join(',')) + 1;
    next += c.records;
  }
  expect(next).toBe(records.length);
}

describe('JSON array chunks (property)', () => {
  it('every chunk is a valid array of whole elements; chunks reassemble exactly', async () => {
    await fc.assert(
      fc.asyncProperty(jsonArray, fc.integer({ min: 1, max: 300 }), cutPoints(), async (t, block, at) => {
        const chunks = await chunksOf(t.input, opts({ format: 'json', block }), within(at, t.input.length));
        checkArrays(chunks, t.records, t.pre);
        for (const c of chunks) if (c.records > 1) expect(c.data.length - 2).toBeLessThanOrEqual(block);
      }),
      { numRuns: 150 },
    );
  });

  it('exactly N elements per chunk', async () => {
    await fc.assert(
      fc.asyncProperty(jsonArray, fc.integer({ min: 1, max: 6 }), cutPoints(), async (t, n, at) => {
        const chunks = await chunksOf(
          t.input,
          opts({ format: 'json', records: n }),
          within(at, t.input.length),
        );
        checkArrays(chunks, t.records, t.pre);
        chunks.slice(0, -1).forEach((c) => expect(c.records).toBe(n));
      }),
      { numRuns: 100 },
    );
  });

  it('--emit ndjson: one element per line, same values', async () => {
    await fc.assert(
      fc.asyncProperty(jsonArray, fc.integer({ min: 1, max: 6 }), cutPoints(), async (t, n, at) => {
        const chunks = await chunksOf(
          t.input,
          opts({ format: 'json', records: n, emit: 'ndjson' }),
          within(at, t.input.length),
        );
        const lines = chunks.flatMap((c) => {
          const text = c.data.toString();
          expect(text.endsWith('\n')).toBe(true);
          const ls = text.slice(0, -1).split('\n');
          expect(ls.length).toBe(c.records);
          return ls;
        });
        expect(lines.map((l) => JSON.parse(l))).toEqual(t.records.map((r) => JSON.parse(r)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('JSON array chunks', () => {
  it('cuts an array into arrays', async () => {
    expect(await texts('[1, {"a": [2, "]"]}, "x,y", null]', opts({ format: 'json', records: 2 }))).toEqual([
      '[1, {"a": [2, "]"]}]',
      '[ "x,y", null]',
    ]);
  });

  it('yields nothing for an empty array or blank input', async () => {
    expect(await texts('[]', opts({ format: 'json' }))).toEqual([]);
    expect(await texts(' [ \n ] ', opts({ format: 'json' }))).toEqual([]);
    expect(await texts('', opts({ format: 'json' }))).toEqual([]);
    expect(await texts(' \n', opts({ format: 'json' }))).toEqual([]);
  });

  it('--emit ndjson keeps numbers and escapes as written', async () => {
    expect(
      await texts(
        '[ {"n": 1.50, "s": "\\u00e9 \\" ]"},\n  [ 1e3 ] ]',
        opts({ format: 'json', emit: 'ndjson' }),
      ),
    ).toEqual(['{"n":1.50,"s":"\\u00e9 \\" ]"}\n[1e3]\n']);
  });

  const jsonError = async (input: string, at: number[] = []) => {
    const err = await failure(input, opts({ format: 'json', name: 'x.json' }), at);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_JSON');
    return err as WeftError;
  };

  it('reports invalid JSON with line, column and byte offset', async () => {
    const e = await jsonError('[1, 2,, 3]');
    expect(e.location).toMatchObject({ file: 'x.json', line: 1, column: 7, offset: 6 });
    expect(e.message).toMatch(/invalid JSON/);

    const e2 = await jsonError('[\n  {"a": 1},\n  {"b": tru }\n]', [5, 20, 21]);
    expect(e2.location).toMatchObject({ line: 3, column: 9, offset: 22 });
    expect(e2.describe()).toMatch(/^x\.json:3:9: invalid JSON/);
  });

  it('counts the byte offset in UTF-8 bytes, after a BOM, across tiny reads', async () => {
    const text = '\uFEFF["é€😀", "ok",\n "more", x]';
    const at = Array.from({ length: 40 }, (_, i) => i);
    const e = await jsonError(text, at);
    expect(e.location?.offset).toBe(Buffer.byteLength(text.slice(0, text.indexOf('x'))));
    expect(e.location?.line).toBe(2);
  });

  it('never yields a chunk with an element the verifier has not yet checked', async () => {
    // The verifier waits on 'tru,' (a literal near the end of what it has seen); the scanner does not.
    const input = Buffer.from('[1,tru,2' + ' '.repeat(20) + ']');
    const seen: string[] = [];
    const err = await (async () => {
      try {
        for await (const c of formatChunks(stream(cut(input, [7])), opts({ format: 'json', records: 1 }))) {
          seen.push(c.data.toString());
        }
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).location).toMatchObject({ offset: 3 });
    expect(seen.join('')).not.toMatch(/tru/);
  });

  it('reports a truncated array', async () => {
    const e = await jsonError('[1, 2, {"a": ');
    expect(e.message).toMatch(/unexpected end of input/);
    const e2 = await jsonError('[1, 2');
    expect(e2.message).toMatch(/unexpected end of input/);
  });

  it('reports trailing garbage after the array', async () => {
    const e = await jsonError('[1, 2] 3');
    expect(e.location).toMatchObject({ line: 1, offset: 7 });
  });

  it('says clearly when the top-level value is not an array', async () => {
    const e = await jsonError('\n  {"a": [1, 2]}');
    expect(e.message).toMatch(/needs a top-level array, but the input is an object/);
    expect(e.location).toMatchObject({ line: 2, offset: 3 });
  });
});
