import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { formatChunks, newChunkStats } from '../../../src/chunk/formats/index.js';
import { cut, cutPoints, opts, stream, within } from './helpers.js';

/** What JSON.parse says of the whole text: a top-level array (or blank) is what --format json takes. */
function acceptable(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

describe('--format json rejects exactly the inputs that are not a JSON array', () => {
  it('valid arrays, and arrays with a byte inserted or deleted (property)', async () => {
    const array = fc.array(fc.json(), { maxLength: 8 }).map((xs) => `[${xs.join(', ')}]`);
    const edit = fc.record({
      at: fc.nat(),
      del: fc.boolean(),
      ch: fc.constantFrom(',', '"', '[', ']', '{', '}', ':', ' ', '\n', 'x', '1', '\\'),
    });
    await fc.assert(
      fc.asyncProperty(array, fc.option(edit, { nil: undefined }), cutPoints(), async (text, e, at) => {
        if (e) {
          const i = e.at % (text.length + 1);
          text = e.del ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + e.ch + text.slice(i);
        }
        const input = Buffer.from(text);
        const out: Buffer[] = [];
        let error: unknown;
        try {
          const o = opts({ format: 'json', block: 16 });
          for await (const c of formatChunks(
            stream(cut(input, within(at, input.length))),
            o,
            newChunkStats(),
          )) {
            out.push(c.data);
          }
        } catch (err) {
          error = err;
        }
        if (acceptable(text)) {
          expect(error).toBeUndefined();
          for (const c of out) expect(Array.isArray(JSON.parse(c.toString()))).toBe(true);
        } else {
          expect(error).toBeInstanceOf(WeftError);
          expect((error as WeftError).code).toBe('E_JSON');
          expect((error as WeftError).location?.offset).toBeLessThanOrEqual(input.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
