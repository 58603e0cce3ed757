import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  add,
  compare,
  divide,
  formatDecimal,
  normalize,
  parseDecimal,
  type Decimal,
} from '../../../src/aggregate/decimal.js';

const fmt = (text: string): string | undefined => {
  const d = parseDecimal(text);
  return d && formatDecimal(d);
};
const dec = (text: string): Decimal => {
  const d = parseDecimal(text);
  if (!d) throw new Error(`bad test literal ${text}`);
  return d;
};

describe('parseDecimal / formatDecimal', () => {
  it.each([
    ['0', '0'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['42', '42'],
    ['+42', '42'],
    ['007', '7'],
    ['1.50', '1.5'],
    ['1.', '1'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['1e3', '1000'],
    ['1E3', '1000'],
    ['2.5e-3', '0.0025'],
    ['+2e-3', '0.002'],
    ['  7 ', '7'],
    ['3\r', '3'],
    ['\t-8\t', '-8'],
    ['0.000001', '0.000001'],
    ['0.0000001', '1e-7'],
    ['-1.25e-9', '-1.25e-9'],
    ['100000000000000000000', '100000000000000000000'],
    ['1e21', '1e+21'],
    ['123456789012345678901234567890', '1.2345678901234567890123456789e+29'],
    ['9007199254740993', '9007199254740993'],
    ['1e1000', '1e+1000'],
  ])('%j prints as %s', (text, want) => {
    expect(fmt(text)).toBe(want);
  });

  it.each([
    '',
    ' ',
    'abc',
    '1,5',
    '0x10',
    'inf',
    'Infinity',
    'NaN',
    '1e',
    'e5',
    '--1',
    '1.2.3',
    '.',
    '-',
    '1e1001',
    '1 2',
    '١',
  ])('%j is not a number', (text) => {
    expect(parseDecimal(text)).toBeUndefined();
  });

  it('formats any decimal so that it parses back to the same value', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: -40, max: 40 }),
        (coef, scale) => {
          const d: Decimal = { coef, scale };
          const back = parseDecimal(formatDecimal(d))!;
          expect(back).toBeDefined();
          expect(compare(back, d)).toBe(0);
          expect(normalize(back)).toEqual(normalize(d));
        },
      ),
    );
  });
});

describe('exact arithmetic', () => {
  it('adds without binary floating-point noise', () => {
    expect(formatDecimal(add(dec('0.1'), dec('0.2')))).toBe('0.3');
    expect(0.1 + 0.2).not.toBe(0.3); // the noise this avoids
    expect(formatDecimal(add(dec('9007199254740993'), dec('1')))).toBe('9007199254740994');
    expect(formatDecimal(add(dec('1e20'), dec('1e-5')))).toBe('100000000000000000000.00001');
  });

  it('sums integers exactly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), { maxLength: 30 }), (xs) => {
        const total = xs.reduce((s, x) => add(s, dec(x.toString())), { coef: 0n, scale: 0 } as Decimal);
        expect(formatDecimal(total)).toBe(xs.reduce((s, x) => s + x, 0n).toString());
      }),
    );
  });

  it('compares by value', () => {
    expect(compare(dec('1.50'), dec('1.5'))).toBe(0);
    expect(compare(dec('-2'), dec('1e-9'))).toBeLessThan(0);
    expect(compare(dec('1e3'), dec('999.999'))).toBeGreaterThan(0);
  });

  it.each([
    ['3', 4n, '0.75'],
    ['0.3', 2n, '0.15'],
    ['5', 2n, '2.5'],
    ['30', 2n, '15'],
    ['1', 3n, '0.33333333333333333'],
    ['2', 3n, '0.66666666666666667'],
    ['5', 3n, '1.6666666666666667'],
    ['-1', 3n, '-0.33333333333333333'],
    ['1', 7n, '0.14285714285714286'],
    ['1e-10', 3n, '3.3333333333333333e-11'],
    ['100000000000000000000', 3n, '33333333333333333333.3'],
    ['1', 1024n, '0.0009765625'],
  ])('%s / %s = %s', (a, n, want) => {
    expect(formatDecimal(divide(dec(a), n))).toBe(want);
  });

  it('divides exactly whenever the quotient terminates (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }),
        fc.integer({ min: -10, max: 20 }),
        fc.integer({ min: 1, max: 100000 }),
        (coef, scale, n) => {
          const q = divide({ coef: coef * BigInt(n), scale }, BigInt(n));
          expect(q).toEqual(normalize({ coef, scale }));
        },
      ),
    );
  });

  it('rounds a non-terminating quotient to the nearest 17 significant digits (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1000n, max: 10n ** 30n }), fc.integer({ min: 3, max: 999 }), (a, n) => {
        const N = BigInt(n);
        fc.pre(n % 2 !== 0 && n % 5 !== 0 && a % N !== 0n); // a / n does not terminate
        const q = divide({ coef: a, scale: 0 }, N);
        const e = (a / N).toString().length - 1; // exponent of the leading digit (a/n >= 1)
        const pos = Math.min(e - 16, -1); // the last kept digit is worth 10^pos
        // q in units of 10^pos, compared with a / n in the same units: off by at most half a unit.
        const units = q.coef * 10n ** BigInt(-pos - q.scale);
        const err = units * N - a * 10n ** BigInt(-pos);
        expect(2n * (err < 0n ? -err : err)).toBeLessThanOrEqual(N);
        expect(q.coef.toString().length).toBeLessThanOrEqual(Math.max(17, e + 2));
      }),
    );
  });
});
