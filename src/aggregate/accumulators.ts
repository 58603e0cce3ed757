import { WeftError } from '../errors.js';
import { add, compare, divide, formatDecimal, parseDecimal, ZERO, type Decimal } from './decimal.js';
import type { LineAggregateKind } from './kinds.js';
import { showValue } from './lines.js';

/** The state of one aggregate for one key (or for all lines, unkeyed). */
export interface Accumulator {
  /** Adds one value (latin1 text of its bytes) from line `line` of chunk `seq`'s output. */
  add(value: string, seq: number, line: number): void;
  /** The result values: none (min/max/mean of nothing), one, or uniq's distinct values sorted. */
  results(): string[];
}

/** Parses a value a numeric aggregate needs, or throws E_AGGREGATE located at chunk and line. */
export function numberAt(kind: LineAggregateKind, value: string, seq: number, line: number): Decimal {
  const d = parseDecimal(value);
  if (d) return d;
  throw new WeftError(
    'E_AGGREGATE',
    `aggregate ${kind}: chunk ${seq}, line ${line}: not a number: ${showValue(value)}`,
    {
      location: { record: seq, line },
    },
  );
}

class Count implements Accumulator {
  private n = 0;
  add(): void {
    this.n++;
  }
  results(): string[] {
    return [String(this.n)];
  }
}

class Sum implements Accumulator {
  private total: Decimal = ZERO;
  add(value: string, seq: number, line: number): void {
    this.total = add(this.total, numberAt('sum', value, seq, line));
  }
  results(): string[] {
    return [formatDecimal(this.total)];
  }
}

class Extreme implements Accumulator {
  private best: Decimal | undefined;
  constructor(private readonly kind: 'min' | 'max') {}
  add(value: string, seq: number, line: number): void {
    const d = numberAt(this.kind, value, seq, line);
    if (this.best === undefined) this.best = d;
    else {
      const c = compare(d, this.best);
      if (this.kind === 'min' ? c < 0 : c > 0) this.best = d;
    }
  }
  results(): string[] {
    return this.best === undefined ? [] : [formatDecimal(this.best)];
  }
}

class Mean implements Accumulator {
  private total: Decimal = ZERO;
  private n = 0n;
  add(value: string, seq: number, line: number): void {
    this.total = add(this.total, numberAt('mean', value, seq, line));
    this.n++;
  }
  results(): string[] {
    return this.n === 0n ? [] : [formatDecimal(divide(this.total, this.n))];
  }
}

class Distinct implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(private readonly list: boolean) {}
  add(value: string): void {
    this.seen.add(value);
  }
  results(): string[] {
    return this.list ? [...this.seen].sort() : [String(this.seen.size)];
  }
}

/** A factory of fresh accumulators for `kind`. */
export function accumulatorFactory(kind: LineAggregateKind): () => Accumulator {
  switch (kind) {
    case 'count':
      return () => new Count();
    case 'sum':
      return () => new Sum();
    case 'min':
    case 'max':
      return () => new Extreme(kind);
    case 'mean':
      return () => new Mean();
    case 'uniq':
      return () => new Distinct(true);
    case 'count-distinct':
      return () => new Distinct(false);
  }
}
