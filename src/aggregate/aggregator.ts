import { WeftError } from '../errors.js';
import { accumulatorFactory, type Accumulator } from './accumulators.js';
import { createConcat, type Aggregator } from './concat.js';
import type { AggregateKind, LineAggregateKind } from './kinds.js';
import { bytesToText, forEachLine, isBlank, showValue, textToBytes } from './lines.js';

export type { Aggregator } from './concat.js';

/** Options of createAggregator. */
export interface AggregatorOptions {
  /**
   * true: every line is `key<TAB>value` (a line without TAB is a key with an empty value);
   * false: every line is one value, TABs included; unset (default): the first non-blank line
   * decides, and a line of the other shape is an E_AGGREGATE error.
   */
  keyed?: boolean;
  /** concat only: receives the output in order as soon as it can be written. */
  write?: (chunk: Buffer) => void;
  /** Sequence number of the first chunk (default 1, like `{#}`); concat only. */
  firstSeq?: number;
}

/**
 * A streaming `--aggregate KIND` over chunk outputs pushed in any order.
 *
 * Lines are `\n`-terminated (a last line without `\n` counts); blank lines (only spaces, tabs,
 * CR) are skipped and do not count. Unkeyed, each line is one value and the output is one
 * line; keyed, each line is `key<TAB>value` (split at the first TAB) and the output has one
 * `key<TAB>result` line per key, keys sorted by bytes.
 *
 * - concat: the outputs byte for byte in chunk order (no line parsing; blank lines kept).
 * - count: number of values. Unkeyed with no input: `0`.
 * - sum: exact decimal sum (`0.1 + 0.2` is `0.3`). Unkeyed with no input: `0`.
 * - min, max: the smallest/largest value. Unkeyed with no input: no output.
 * - mean: sum / count, exact when its decimal expansion terminates, else rounded half-to-even
 *   to 17 significant digits (at least one fractional digit): `1,2,2` → `1.6666666666666667`.
 * - uniq: the distinct values, sorted by bytes, one per line (keyed: one `key<TAB>value` line
 *   per distinct pair, sorted by key, then value). Values are compared as text: `1` ≠ `1.0`.
 * - count-distinct: the number of distinct values (as text). Unkeyed with no input: `0`.
 *
 * Numbers are decimal literals (`-12`, `3.50`, `.5`, `1e-3`; spaces/CR around them allowed);
 * anything else where a number is needed throws WeftError E_AGGREGATE with location
 * `{ record: seq, line }`. Results print canonically (decimal.ts formatDecimal): `1.50`→`1.5`,
 * `1e3`→`1000`, exponent form only below 1e-6 or from 1e21. After push throws, the aggregator
 * is unusable. Memory: one accumulator per distinct key (uniq and count-distinct also keep
 * each distinct value), never the outputs themselves — except concat without `write`.
 */
export function createAggregator(kind: AggregateKind, options: AggregatorOptions = {}): Aggregator {
  if (kind === 'concat') return createConcat(options);
  return new LineAggregator(kind, options.keyed);
}

class LineAggregator implements Aggregator {
  private readonly fresh: () => Accumulator;
  private mode: 'plain' | 'keyed' | undefined;
  private readonly keys = new Map<string, Accumulator>();
  private all: Accumulator | undefined;
  private broken: unknown;
  private readonly explicit: boolean;

  constructor(
    private readonly kind: LineAggregateKind,
    keyed: boolean | undefined,
  ) {
    this.fresh = accumulatorFactory(kind);
    this.explicit = keyed !== undefined;
    this.mode = keyed === undefined ? undefined : keyed ? 'keyed' : 'plain';
  }

  push(seq: number, output: Buffer): void {
    if (this.broken) throw this.broken;
    try {
      forEachLine(bytesToText(output), (line, lineNo) => this.line(line, seq, lineNo));
    } catch (err) {
      this.broken = err;
      throw err;
    }
  }

  private line(line: string, seq: number, lineNo: number): void {
    if (isBlank(line)) return;
    const tab = line.indexOf('\t');
    if (!this.explicit) {
      const shape = tab >= 0 ? 'keyed' : 'plain';
      if (this.mode === undefined) this.mode = shape;
      else if (this.mode !== shape) {
        const what =
          shape === 'plain'
            ? 'has no TAB, but earlier lines were key<TAB>value'
            : 'is key<TAB>value, but earlier lines were plain values';
        throw new WeftError(
          'E_AGGREGATE',
          `aggregate ${this.kind}: chunk ${seq}, line ${lineNo}: ${showValue(line)} ${what}`,
          {
            location: { record: seq, line: lineNo },
          },
        );
      }
    }
    if (this.mode === 'plain') {
      (this.all ??= this.fresh()).add(line, seq, lineNo);
      return;
    }
    const key = tab >= 0 ? line.slice(0, tab) : line;
    const value = tab >= 0 ? line.slice(tab + 1) : '';
    let acc = this.keys.get(key);
    if (!acc) {
      acc = this.fresh();
      this.keys.set(key, acc);
    }
    acc.add(value, seq, lineNo);
  }

  finish(): Buffer {
    if (this.broken) throw this.broken;
    let text = '';
    if (this.mode === 'keyed') {
      for (const key of [...this.keys.keys()].sort()) {
        for (const r of this.keys.get(key)!.results()) text += `${key}\t${r}\n`;
      }
    } else {
      for (const r of (this.all ?? this.fresh()).results()) text += `${r}\n`;
    }
    return textToBytes(text);
  }
}
