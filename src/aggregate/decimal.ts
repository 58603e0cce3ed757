/**
 * Exact decimal numbers for the numeric aggregates: a value is `coef × 10^-scale` with a BigInt
 * coefficient, so `0.1 + 0.2` is exactly `0.3` and sums of any length never lose digits.
 */

/** An exact decimal `coef × 10^-scale` (scale may be negative: `5e3` is coef 5, scale -3). */
export interface Decimal {
  readonly coef: bigint;
  readonly scale: number;
}

/** Zero. */
export const ZERO: Decimal = { coef: 0n, scale: 0 };

/** Largest accepted exponent part of a literal (`1e1000` is in, `1e1001` is out). */
export const MAX_EXPONENT = 1000;

// Optional ASCII blanks, sign, digits with an optional point, optional exponent. No inf/nan/hex.
const LITERAL = /^[ \t\r\f\v]*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,9}))?[ \t\r\f\v]*$/;

const POW10: bigint[] = [1n];
/** 10^n as a BigInt (n >= 0), cached for small n. */
export function pow10(n: number): bigint {
  if (n < 64) {
    while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
    return POW10[n];
  }
  return 10n ** BigInt(n);
}

/**
 * Parses a decimal literal (`12`, `-3.50`, `.5`, `1.`, `+2e-3`, surrounding spaces/tabs/CR allowed);
 * returns undefined for anything else, including `inf`, `nan`, hex and exponents beyond ±MAX_EXPONENT.
 * The result is exact but not normalized (`1.50` is coef 150, scale 2).
 */
export function parseDecimal(text: string): Decimal | undefined {
  const m = LITERAL.exec(text);
  if (!m) return undefined;
  const int = m[2];
  const frac = m[3] ?? '';
  if (int.length === 0 && frac.length === 0) return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exp) > MAX_EXPONENT) return undefined;
  const coef = BigInt(int + frac);
  const scale = frac.length - exp;
  return { coef: m[1] === '-' ? -coef : coef, scale };
}

/** Drops trailing zeros of the coefficient, so equal values have one representation. */
export function normalize(d: Decimal): Decimal {
  if (d.coef === 0n) return ZERO;
  let { coef, scale } = d;
  while (coef % 10n === 0n) {
    coef /= 10n;
    scale -= 1;
  }
  return coef === d.coef ? d : { coef, scale };
}

/** Both coefficients at the larger of the two scales. */
function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.coef, b.coef, a.scale];
  if (a.scale > b.scale) return [a.coef, b.coef * pow10(a.scale - b.scale), a.scale];
  return [a.coef * pow10(b.scale - a.scale), b.coef, b.scale];
}

/** a + b, exactly. */
export function add(a: Decimal, b: Decimal): Decimal {
  if (a.coef === 0n) return b;
  if (b.coef === 0n) return a;
  const [x, y, scale] = align(a, b);
  return { coef: x + y, scale };
}

/** Negative, zero or positive as a <, =, > b. */
export function compare(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
const digitCount = (n: bigint): number => n.toString().length;

/** Significant digits kept when a quotient does not terminate (like C's `%.17g`, but exact). */
export const QUOTIENT_DIGITS = 17;

/**
 * d / n for a positive integer n. Exact when the quotient's decimal expansion terminates
 * (`3/4 = 0.75`, `0.3/2 = 0.15`); otherwise rounded half-to-even to QUOTIENT_DIGITS significant
 * digits, but never to fewer than one fractional digit (`1/3 = 0.33333333333333333`).
 */
export function divide(d: Decimal, n: bigint): Decimal {
  if (n <= 0n) throw new RangeError('divide: divisor must be positive');
  if (d.coef === 0n) return ZERO;
  const g = gcd(abs(d.coef), n);
  const num = d.coef / g;
  const den = n / g;
  let rest = den;
  let twos = 0;
  let fives = 0;
  while (rest % 2n === 0n) {
    rest /= 2n;
    twos++;
  }
  while (rest % 5n === 0n) {
    rest /= 5n;
    fives++;
  }
  if (rest === 1n) {
    const k = Math.max(twos, fives);
    return normalize({ coef: num * (pow10(k) / den), scale: d.scale + k });
  }
  // value = N / D with integers N, D > 0 (sign kept aside).
  let N = abs(num);
  let D = den;
  if (d.scale >= 0) D *= pow10(d.scale);
  else N *= pow10(-d.scale);
  // e: decimal exponent of the quotient's leading digit.
  let e = digitCount(N) - digitCount(D);
  const atLeast = e >= 0 ? N >= D * pow10(e) : N * pow10(-e) >= D;
  if (!atLeast) e -= 1;
  const pos = Math.min(e - (QUOTIENT_DIGITS - 1), -1); // unit of the last kept digit is 10^pos
  const scaled = N * pow10(-pos);
  let q = scaled / D;
  const r2 = (scaled % D) * 2n;
  if (r2 > D || (r2 === D && q % 2n === 1n)) q += 1n;
  return normalize({ coef: num < 0n ? -q : q, scale: -pos });
}

/**
 * Canonical text of a decimal: no trailing fractional zeros, no `-0`, and JavaScript's notation
 * rule: plain digits when the leading digit's exponent is in [-6, 20] (`0.000001`, `1e+21`,
 * `1.5e-7`), otherwise `d.ddde±N` with every significant digit.
 */
export function formatDecimal(d: Decimal): string {
  const { coef, scale } = normalize(d);
  if (coef === 0n) return '0';
  const neg = coef < 0n;
  const s = (neg ? -coef : coef).toString();
  const n = s.length;
  const e = n - 1 - scale;
  let body: string;
  if (e > -7 && e < 21) {
    if (scale <= 0) body = s + '0'.repeat(-scale);
    else if (scale < n) body = `${s.slice(0, n - scale)}.${s.slice(n - scale)}`;
    else body = `0.${'0'.repeat(scale - n)}${s}`;
  } else {
    body = `${s[0]}${n > 1 ? `.${s.slice(1)}` : ''}e${e < 0 ? '-' : '+'}${Math.abs(e)}`;
  }
  return neg ? `-${body}` : body;
}
