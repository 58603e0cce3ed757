import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import {
  AGGREGATE_KINDS,
  createAggregator,
  parseAggregateKind,
  type AggregateKind,
} from '../../../src/aggregate/index.js';
import { shuffled } from './helpers.js';

/** Pushes `outputs[i]` as chunk i+1, in the order `order` (1-based seqs), and returns the result text. */
function run(kind: AggregateKind, outputs: string[], order?: number[], keyed?: boolean): string {
  const agg = createAggregator(kind, { keyed });
  for (const seq of order ?? outputs.map((_, i) => i + 1)) agg.push(seq, Buffer.from(outputs[seq - 1]));
  return agg.finish().toString('utf8');
}

function caught(fn: () => unknown): WeftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return err as WeftError;
  }
  throw new Error('expected a WeftError');
}

// Three chunk outputs, pushed as 3, 1, 2 (jobs finish out of order).
const PLAIN = ['5\n-2\n\n', '10\n3.5\n   \n', '5\n0.25'];
const KEYED = ['b\t2\na\t1\n', 'a\t10\n\nc\t-1\nb\t2.5\n', 'a\t1\n'];
const OUT_OF_ORDER = [3, 1, 2];

describe('createAggregator, unkeyed (one number per line)', () => {
  it.each<[AggregateKind, string]>([
    ['count', '6\n'],
    ['sum', '21.75\n'],
    ['min', '-2\n'],
    ['max', '10\n'],
    ['mean', '3.625\n'],
    ['uniq', '-2\n0.25\n10\n3.5\n5\n'],
    ['count-distinct', '5\n'],
  ])('%s', (kind, want) => {
    expect(run(kind, PLAIN, OUT_OF_ORDER)).toBe(want);
    expect(run(kind, PLAIN)).toBe(want); // order does not matter
  });

  it('concat keeps the outputs in chunk order, byte for byte', () => {
    expect(run('concat', PLAIN, OUT_OF_ORDER)).toBe(PLAIN.join(''));
  });
});

describe('createAggregator, keyed (key<TAB>value lines)', () => {
  it.each<[AggregateKind, string]>([
    ['count', 'a\t3\nb\t2\nc\t1\n'],
    ['sum', 'a\t12\nb\t4.5\nc\t-1\n'],
    ['min', 'a\t1\nb\t2\nc\t-1\n'],
    ['max', 'a\t10\nb\t2.5\nc\t-1\n'],
    ['mean', 'a\t4\nb\t2.25\nc\t-1\n'],
    ['uniq', 'a\t1\na\t10\nb\t2\nb\t2.5\nc\t-1\n'],
    ['count-distinct', 'a\t2\nb\t2\nc\t1\n'],
  ])('%s, one line per key sorted by key', (kind, want) => {
    expect(run(kind, KEYED, OUT_OF_ORDER)).toBe(want);
    expect(run(kind, KEYED, [2, 3, 1])).toBe(want);
  });

  it('sorts keys and uniq values by bytes, not by locale', () => {
    const out = ['b\tx\né\tx\n', 'B\tx\na\tz\na\tZ\na\té\n'];
    expect(run('count', out)).toBe('B\t1\na\t3\nb\t1\né\t1\n');
    expect(run('uniq', out, [2, 1])).toBe('B\tx\na\tZ\na\tz\na\té\nb\tx\né\tx\n');
    expect(run('uniq', ['b\n', 'é\nB\na\nb\n'])).toBe('B\na\nb\né\n');
  });

  it('splits at the first TAB: the rest of the line is the value', () => {
    expect(run('uniq', ['k\tv\tw\nk\tv\n'])).toBe('k\tv\nk\tv\tw\n');
    const err = caught(() => run('sum', ['k\t1\t2\n']));
    expect(err.message).toContain('not a number: "1\\t2"');
  });

  it('keys are compared as exact bytes (a key may contain spaces)', () => {
    expect(run('sum', ['a b\t1\na\t2\na b\t3\n'])).toBe('a\t2\na b\t4\n');
  });

  it('keyed: true reads a line without TAB as a key with an empty value', () => {
    expect(run('count', ['a\na\t1\nb\n'], undefined, true)).toBe('a\t2\nb\t1\n');
    expect(run('uniq', ['a\na\t1\n'], undefined, true)).toBe('a\t\na\t1\n');
  });

  it('keyed: false reads every line as one value, TABs included', () => {
    expect(run('count-distinct', ['a\t1\na\t1\nb\n'], undefined, false)).toBe('2\n');
  });
});

describe('numbers and formatting', () => {
  it('sums and means without floating-point noise', () => {
    expect(run('sum', ['0.1\n0.2\n'])).toBe('0.3\n');
    expect(run('sum', ['0.1\n', '0.1\n', '0.1\n'])).toBe('0.3\n');
    expect(run('mean', ['0.1\n0.2\n'])).toBe('0.15\n');
    expect(run('mean', ['1\n2\n2\n'])).toBe('1.6666666666666667\n');
    expect(run('mean', ['1\n', '2\n'])).toBe('1.5\n');
    expect(run('mean', ['10\n20\n'])).toBe('15\n');
    expect(run('sum', ['9007199254740993\n1\n'])).toBe('9007199254740994\n');
  });

  it('prints results canonically', () => {
    expect(run('max', ['1.50\n1e-3\n'])).toBe('1.5\n');
    expect(run('min', ['1e3\n2e3\n'])).toBe('1000\n');
    expect(run('sum', ['-0\n0.0\n'])).toBe('0\n');
    expect(run('sum', ['1e20\n9e20\n'])).toBe('1e+21\n');
    expect(run('mean', ['0.0000001\n'])).toBe('1e-7\n');
  });

  it('accepts CRLF line ends and spaces around numbers', () => {
    expect(run('sum', ['1\r\n2\r\n', ' 3 \n'])).toBe('6\n');
    expect(run('sum', ['k\t 1\r\nk\t2 \n'])).toBe('k\t3\n');
  });

  it('min and max compare by value, not as text', () => {
    expect(run('max', ['9\n10\n-11\n'])).toBe('10\n');
    expect(run('min', ['9\n10\n-11\n'])).toBe('-11\n');
  });

  it('uniq and count-distinct compare values as text', () => {
    expect(run('count-distinct', ['1\n1.0\n1\n'])).toBe('2\n');
    expect(run('uniq', ['1\n1.0\n1\n'])).toBe('1\n1.0\n');
  });
});

describe('errors', () => {
  it('a non-number names the chunk and the line within its output', () => {
    const agg = createAggregator('sum');
    agg.push(1, Buffer.from('1\n2\n'));
    const err = caught(() => agg.push(7, Buffer.from('3\n\nabc\n4\n')));
    expect(err.code).toBe('E_AGGREGATE');
    expect(err.location).toEqual({ record: 7, line: 3 });
    expect(err.message).toBe('aggregate sum: chunk 7, line 3: not a number: "abc"');
    // The aggregator is unusable afterwards.
    expect(() => agg.push(8, Buffer.from('1\n'))).toThrow(WeftError);
    expect(() => agg.finish()).toThrow(WeftError);
  });

  it.each<AggregateKind>(['sum', 'min', 'max', 'mean'])('%s needs numbers', (kind) => {
    const err = caught(() => run(kind, ['k\t1\n', 'k\t2\nk\tNaN\n']));
    expect(err.code).toBe('E_AGGREGATE');
    expect(err.location).toEqual({ record: 2, line: 2 });
  });

  it.each<AggregateKind>(['count', 'uniq', 'count-distinct'])('%s takes any text', (kind) => {
    expect(() => run(kind, ['hello world\n', 'NaN\n'])).not.toThrow();
  });

  it('mixing keyed and plain lines is an error with its location', () => {
    const a = caught(() => run('count', ['a\t1\n', 'x\n']));
    expect(a.location).toEqual({ record: 2, line: 1 });
    expect(a.message).toContain('has no TAB');
    const b = caught(() => run('count', ['1\n2\nk\t3\n']));
    expect(b.location).toEqual({ record: 1, line: 3 });
    expect(b.message).toContain('is key<TAB>value');
  });

  it('an unknown kind is an option error', () => {
    expect(parseAggregateKind('count-distinct')).toBe('count-distinct');
    expect(() => parseAggregateKind('median')).toThrow(/--aggregate: 'median' is not one of concat, sum/);
  });
});

describe('empty and blank input', () => {
  it.each<[AggregateKind, string]>([
    ['count', '0\n'],
    ['sum', '0\n'],
    ['count-distinct', '0\n'],
    ['min', ''],
    ['max', ''],
    ['mean', ''],
    ['uniq', ''],
    ['concat', '\n \n'],
  ])('%s of nothing but blank lines', (kind, want) => {
    expect(run(kind, ['', '\n \n'])).toBe(want);
  });

  it('counts only non-blank lines', () => {
    expect(run('count', ['a\n\n\t\nb\r\n\r\n', 'c'])).toBe('3\n');
  });
});

describe('concat', () => {
  it('writes through in chunk order as soon as the gap closes', () => {
    const written: string[] = [];
    const agg = createAggregator('concat', { write: (b) => written.push(b.toString()) });
    agg.push(2, Buffer.from('two\n'));
    agg.push(3, Buffer.from('three\n'));
    expect(written).toEqual([]);
    agg.push(1, Buffer.from('one\n'));
    expect(written).toEqual(['one\n', 'two\n', 'three\n']);
    agg.push(5, Buffer.from('five\n'));
    expect(agg.finish().toString()).toBe('five\n'); // 4 never came: skipped at the end
    expect(written).toHaveLength(3);
  });

  it('honours firstSeq and rejects a chunk pushed twice', () => {
    const agg = createAggregator('concat', { firstSeq: 0 });
    agg.push(1, Buffer.from('b'));
    agg.push(0, Buffer.from('a'));
    expect(() => agg.push(1, Buffer.from('x'))).toThrow(/pushed twice/);
    expect(agg.finish().toString()).toBe('ab');
  });
});

describe('properties', () => {
  const line = fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd d', 'É'),
    value: fc.integer({ min: -1000, max: 1000 }),
  });
  const input = fc.record({
    chunks: fc.array(fc.array(line, { maxLength: 8 }), { minLength: 1, maxLength: 8 }),
    seed: fc.integer(),
  });

  it('every kind, keyed, matches a direct computation whatever the push order', () => {
    fc.assert(
      fc.property(input, ({ chunks, seed }) => {
        fc.pre(chunks.some((c) => c.length > 0)); // with no lines at all, the output is unkeyed
        const outputs = chunks.map((c) => c.map((l) => `${l.key}\t${l.value}\n`).join(''));
        const order = shuffled(
          outputs.map((_, i) => i + 1),
          seed,
        );
        const byKey = new Map<string, number[]>();
        for (const l of chunks.flat()) byKey.set(l.key, [...(byKey.get(l.key) ?? []), l.value]);
        const keys = [...byKey.keys()].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        const expectFor = (f: (vs: number[]) => string[]): string =>
          keys.flatMap((k) => f(byKey.get(k)!).map((r) => `${k}\t${r}\n`)).join('');
        const sum = (vs: number[]): number => vs.reduce((s, v) => s + v, 0);
        const distinct = (vs: number[]): string[] => [...new Set(vs.map(String))].sort();
        expect(run('count', outputs, order)).toBe(expectFor((vs) => [String(vs.length)]));
        expect(run('sum', outputs, order)).toBe(expectFor((vs) => [String(sum(vs))]));
        expect(run('min', outputs, order)).toBe(expectFor((vs) => [String(Math.min(...vs))]));
        expect(run('max', outputs, order)).toBe(expectFor((vs) => [String(Math.max(...vs))]));
        expect(run('uniq', outputs, order)).toBe(expectFor(distinct));
        expect(run('count-distinct', outputs, order)).toBe(expectFor((vs) => [String(distinct(vs).length)]));
        // mean: compare numerically (the exact quotient vs a double)
        const means = run('mean', outputs, order)
          .split('\n')
          .filter(Boolean)
          .map((l) => Number(l.split('\t')[1]));
        expect(means).toHaveLength(keys.length);
        keys.forEach((k, i) => expect(means[i]).toBeCloseTo(sum(byKey.get(k)!) / byKey.get(k)!.length, 9));
        expect(run('concat', outputs, order)).toBe(outputs.join(''));
      }),
      { numRuns: 150 },
    );
  });

  it('lists every kind', () => {
    expect([...AGGREGATE_KINDS].sort()).toEqual([
      'concat',
      'count',
      'count-distinct',
      'max',
      'mean',
      'min',
      'sum',
      'uniq',
    ]);
  });
});
