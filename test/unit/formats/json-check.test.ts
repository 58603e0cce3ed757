import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonValues } from '../../../src/chunk/formats/json-check.js';

/** JSON.parse's verdict on `v1, v2, …`: the inside of an array with at least one element. */
function valid(text: string): boolean {
  try {
    return (JSON.parse(`[${text}]`) as unknown[]).length > 0 && text.trim() !== '';
  } catch {
    return false;
  }
}

const check = (text: string) => {
  const b = Buffer.from(text);
  return checkJsonValues(b, 0, b.length);
};

describe('checkJsonValues', () => {
  it('agrees with JSON.parse on values, lists of values, and mangled ones (property)', () => {
    const pieces = fc.constantFrom(
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
      'true',
      'tru',
      'null',
      'false',
      '-',
      '0',
      '01',
      '1.',
      '.5',
      '1e',
      '1e+5',
      '-0.5E-3',
      ' ',
      '\n',
      'é',
      '\u0001',
      'a',
    );
    const mangled = fc.array(pieces, { maxLength: 12 }).map((xs) => xs.join(''));
    const values = fc.array(fc.json(), { minLength: 1, maxLength: 4 }).map((xs) => xs.join(' ,\n '));
    fc.assert(
      fc.property(
        fc.oneof(
          values,
          mangled,
          fc.tuple(values, mangled).map(([a, b]) => a + b),
        ),
        (text) => {
          expect(check(text) < 0).toBe(valid(text));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('says where the text stops being valid', () => {
    expect(check('1, 2')).toBe(-1);
    expect(check('{"a": [1, 2]}, "x"')).toBe(-1);
    expect(check('1,, 2')).toBe(2);
    expect(check('{"a" 1}')).toBe(5);
    expect(check('[1, 2')).toBe(5);
    expect(check('"a\u0001b"')).toBe(2);
    expect(check('tru')).toBe(3);
    expect(check('  ')).toBe(2);
    expect(check('01')).toBe(1);
  });
});
