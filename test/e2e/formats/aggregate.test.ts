// Folding chunk outputs into one answer, end to end: --aggregate KIND (global and keyed),
// --reduce CMD, local MapReduce (--map CMD --reduce CMD --partitions R), and the option
// combinations weft refuses.
import { describe, expect, it } from 'vitest';
import { lines, tempDir, weft, type WeftResult } from '../helpers.js';
import { makeCsv, seq } from './data.js';

/** weft's own errors: exit 255 and exactly one `weft: ...` line on stderr. */
function expectOneLineError(r: WeftResult, pattern: RegExp): void {
  expect(r.code).toBe(255);
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(/^weft: /);
  expect(r.stderr).toMatch(pattern);
}

/** Ten numbers: negatives, decimals (0.1 + 0.2), repeats. */
const VALUES = '3\n-1.5\n10\n0.1\n0.2\n7\n3\n-2\n10\n4.25\n';

/** key value pairs, printed by the job as key<TAB>value. */
const PAIRS = 'a 1\nb 2.5\na -3\nc 10\nb 2.5\na 4\nc 0.1\nb 7\na 1\n';

/**
 * A job that finishes later the earlier its chunk ({#}) is, so outputs arrive out of order
 * (up to 5 chunks); it prints its chunk unchanged.
 */
const LATE_FIRST = 'sleep 0.$((5 - {#})); cat';

describe.concurrent('--aggregate, global: one value per line', () => {
  const cases: [string, string][] = [
    ['sum', '34.05\n'],
    ['count', '10\n'],
    ['min', '-2\n'],
    ['max', '10\n'],
    ['mean', '3.405\n'],
    ['uniq', '-1.5\n-2\n0.1\n0.2\n10\n3\n4.25\n7\n'],
    ['count-distinct', '8\n'],
  ];
  for (const [kind, expected] of cases) {
    it(kind, async () => {
      const r = await weft(['--records', '3', '-j4', '--aggregate', kind, LATE_FIRST], { stdin: VALUES });
      expect(r).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    });
  }

  it('concat: the outputs byte for byte in chunk order, whatever order jobs finish in', async () => {
    const r = await weft(
      ['--records', '3', '-j4', '--aggregate', 'concat', 'echo "chunk {#}"; ' + LATE_FIRST],
      {
        stdin: VALUES,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('chunk 1\n3\n-1.5\n10\nchunk 2\n0.1\n0.2\n7\nchunk 3\n3\n-2\n10\nchunk 4\n4.25\n');
  });

  it('mean that does not terminate: 17 significant digits', async () => {
    const r = await weft(['--records', '1', '--aggregate', 'mean', 'cat'], { stdin: '1\n2\n2\n' });
    expect(r.stdout).toBe('1.6666666666666667\n');
  });

  it('blank lines are not values; no input at all: count 0, min nothing', async () => {
    const blank = await weft(['--records', '2', '--aggregate', 'count', 'cat; echo; echo "  "'], {
      stdin: seq(1, 5),
    });
    expect(blank.stdout).toBe('5\n');
    const none = await weft(['--format', 'lines', '--aggregate', 'count', 'cat'], { stdin: '' });
    expect(none).toMatchObject({ code: 0, stdout: '0\n' });
    const min = await weft(['--format', 'lines', '--aggregate', 'min', 'cat'], { stdin: '' });
    expect(min).toMatchObject({ code: 0, stdout: '' });
  });

  it('CSV input: sum of a column, header skipped by the job', async () => {
    const data = makeCsv(30);
    const r = await weft(
      ['--format', 'csv', '--records', '7', '--aggregate', 'sum', "awk -F, 'NR > 1 { print $1 }'"],
      {
        stdin: data.text.replace(/"[^"]*"/g, 'q'), // no quoted fields, so awk -F, sees the columns
      },
    );
    expect(r).toMatchObject({ code: 0, stdout: `${(30 * 31) / 2}\n` });
  });

  it('a failed job is left out, said on stderr, and counted in the exit status', async () => {
    const r = await weft(
      ['--records', '2', '--aggregate', 'sum', 'read a; [ "$a" = 3 ] && exit 3; echo "$a"'],
      {
        stdin: seq(1, 6),
      },
    );
    expect(r.stdout).toBe(`${1 + 5}\n`);
    expect(r.stderr).toMatch(/1 job\(s\) failed/);
    expect(r.code).toBe(1);
  });

  it('a line that is not a number: one-line error, exit 255', async () => {
    const r = await weft(['--records', '2', '--aggregate', 'sum', 'echo x'], { stdin: seq(1, 4) });
    expectOneLineError(r, /aggregate sum: chunk \d+, line 1: not a number: "x"/);
  });
});

describe.concurrent('--aggregate, keyed: key<TAB>value lines, one result per key, sorted by key', () => {
  const cases: [string, string][] = [
    ['sum', 'a\t3\nb\t12\nc\t10.1\n'],
    ['count', 'a\t4\nb\t3\nc\t2\n'],
    ['min', 'a\t-3\nb\t2.5\nc\t0.1\n'],
    ['max', 'a\t4\nb\t7\nc\t10\n'],
    ['mean', 'a\t0.75\nb\t4\nc\t5.05\n'],
    ['uniq', 'a\t-3\na\t1\na\t4\nb\t2.5\nb\t7\nc\t0.1\nc\t10\n'],
    ['count-distinct', 'a\t3\nb\t2\nc\t2\n'],
  ];
  for (const [kind, expected] of cases) {
    it(kind, async () => {
      const r = await weft(
        ['--records', '2', '-j4', '--aggregate', kind, "sleep 0.$((5 - {#})); tr ' ' '\\t'"],
        {
          stdin: PAIRS,
        },
      );
      expect(r).toMatchObject({ code: 0, stdout: expected, stderr: '' });
    });
  }

  it('keys with spaces, from CSV chunks (revenue per region)', async () => {
    const csv = 'region,amount\nnorth east,1.10\nsouth,2\nnorth east,3.35\nwest,0.05\nsouth,-1\n';
    const r = await weft(
      ['--format', 'csv', '--records', '2', '--aggregate', 'sum', 'awk -F, \'NR > 1 { print $1 "\\t" $2 }\''],
      {
        stdin: csv,
      },
    );
    expect(r).toMatchObject({ code: 0, stdout: 'north east\t4.45\nsouth\t1\nwest\t0.05\n' });
  });

  it('a plain line after key<TAB>value lines: one-line error, exit 255', async () => {
    const r = await weft(['--records', '2', '-j1', '--aggregate', 'sum', 'printf "k\\t1\\n5\\n"'], {
      stdin: seq(1, 4),
    });
    expectOneLineError(r, /aggregate sum: chunk \d+, line 2:.*no TAB/);
  });
});

describe.concurrent('--reduce CMD', () => {
  it('all chunk outputs go through CMD once, in chunk order', async () => {
    const r = await weft(
      ['--records', '2', '-j4', '--reduce', 'echo START; cat; echo END', 'echo "chunk {#}"; ' + LATE_FIRST],
      {
        stdin: seq(1, 7),
      },
    );
    expect(r).toMatchObject({
      code: 0,
      stdout: 'START\nchunk 1\n1\n2\nchunk 2\n3\n4\nchunk 3\n5\n6\nchunk 4\n7\nEND\n',
      stderr: '',
    });
  });

  it('a summing reducer over per-chunk sums', async () => {
    const r = await weft(
      [
        '--records',
        '100',
        '--reduce',
        "awk '{ s += $1 } END { print s }'",
        "awk '{ s += $1 } END { print s }'",
      ],
      {
        stdin: seq(1, 1000),
      },
    );
    expect(r).toMatchObject({ code: 0, stdout: '500500\n' });
  });

  it('top N: each chunk its top 3, the reducer the top 3 of those', async () => {
    const input = [5, 42, 17, 99, 3, 64, 8, 77, 23, 51, 90, 1].map((n) => `id${n} ${n}\n`).join('');
    const r = await weft(['--records', '4', '--reduce', 'sort -k2nr | head -n 3', 'sort -k2nr | head -n 3'], {
      stdin: input,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'id99 99\nid90 90\nid77 77\n' });
  });

  it('a failing reducer fails the run (one failure)', async () => {
    const r = await weft(['--records', '2', '--reduce', 'cat >/dev/null; exit 3', 'cat'], {
      stdin: seq(1, 4),
    });
    expect(r).toMatchObject({ code: 1, stdout: '' });
  });
});

/** 32-bit FNV-1a of the key's bytes: the partition function weft documents for --map. */
function fnv1a(key: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key)) {
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const TEXT = [
  'the quick brown fox jumps over the lazy dog',
  'the dog barks and the fox runs',
  'a quick brown dog and a lazy fox',
  'over and over the fox runs',
  'brown brown brown',
  'zebra apple mango the',
].join('\n');

const MAP = "tr -s ' ' '\\n' | awk 'NF { print $0 \"\\t1\" }'";

/** Word counts of TEXT, computed here. */
function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of TEXT.split(/\s+/).filter(Boolean)) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/** Splits reducer output printed as `== P` headers followed by lines. */
function partitions(stdout: string): string[][] {
  const parts: string[][] = [];
  for (const l of lines(stdout)) {
    if (l === '== P') parts.push([]);
    else parts[parts.length - 1].push(l);
  }
  return parts;
}

describe.concurrent('--map CMD --reduce CMD [--partitions R]', () => {
  it('word count: the right totals', async () => {
    const reduce =
      'awk -F \'\\t\' \'$1 != w { if (NR > 1) print w "\\t" n; w = $1; n = 0 } { n += $2 } END { if (NR) print w "\\t" n }\'';
    const r = await weft(
      ['--format', 'lines', '--records', '1', '--partitions', '3', '--map', MAP, '--reduce', reduce],
      {
        stdin: TEXT,
      },
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const got = new Map(lines(r.stdout).map((l) => [l.split('\t')[0], Number(l.split('\t')[1])]));
    expect(got).toEqual(counts());
    expect(lines(r.stdout)).toHaveLength(counts().size); // each key reduced exactly once
  });

  it('R reducers, each sees its keys sorted and together; output in partition order', async () => {
    const r = await weft(
      [
        '--format',
        'lines',
        '--records',
        '1',
        '-j3',
        '--partitions',
        '4',
        '--map',
        MAP,
        '--reduce',
        'echo "== P"; cat',
      ],
      {
        stdin: TEXT,
      },
    );
    expect(r.code).toBe(0);
    const parts = partitions(r.stdout);
    expect(parts).toHaveLength(4);
    const all = new Map<string, number>();
    parts.forEach((part, p) => {
      const keys = part.map((l) => l.split('\t')[0]);
      // sorted by key bytes, so equal keys are adjacent
      expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      for (const k of keys) {
        expect(fnv1a(k) % 4, `key ${k} in partition ${p}`).toBe(p);
        all.set(k, (all.get(k) ?? 0) + 1);
      }
      expect(part.every((l) => /^[a-z]+\t1$/.test(l))).toBe(true);
    });
    expect(all).toEqual(counts());
  });

  it('--partitions defaults to -j', async () => {
    const r = await weft(
      ['--format', 'lines', '--records', '2', '-j2', '--map', MAP, '--reduce', 'echo "== P"; cat'],
      {
        stdin: TEXT,
      },
    );
    expect(r.code).toBe(0);
    expect(partitions(r.stdout)).toHaveLength(2);
  });

  it('CSV map input: the header reaches every mapper; revenue per region', async () => {
    const csv = 'region,amount\n' + Array.from({ length: 20 }, (_, i) => `r${i % 3},${i}\n`).join('');
    const r = await weft(
      [
        '--format',
        'csv',
        '--records',
        '5',
        '--partitions',
        '2',
        '--map',
        'awk -F, \'NR == 1 && $1 != "region" { print "NOHEADER\\t1" } NR > 1 { print $1 "\\t" $2 }\'',
        '--reduce',
        "awk -F '\\t' '{ s[$1] += $2 } END { for (k in s) print k \"\\t\" s[k] }'",
      ],
      { stdin: csv },
    );
    expect(r.code).toBe(0);
    const expected = new Map<string, number>();
    for (let i = 0; i < 20; i++) expected.set(`r${i % 3}`, (expected.get(`r${i % 3}`) ?? 0) + i);
    expect(new Map(lines(r.stdout).map((l) => [l.split('\t')[0], Number(l.split('\t')[1])]))).toEqual(
      expected,
    );
  });

  it('failing reducers are counted in the exit status, one per partition', async () => {
    const r = await weft(
      ['--format', 'lines', '--partitions', '3', '--map', MAP, '--reduce', 'cat >/dev/null; exit 4'],
      {
        stdin: TEXT,
      },
    );
    expect(r).toMatchObject({ code: 3, stdout: '' });
  });
});

describe.concurrent('option combinations weft refuses: one-line error, exit 255', () => {
  const cases: [string, string[], RegExp][] = [
    ['--map without --reduce', ['--format', 'lines', '--map', 'cat'], /--map needs --reduce/],
    [
      '--aggregate with --results',
      ['--format', 'lines', '--aggregate', 'sum', '--results', 'out', 'cat'],
      /--results/,
    ],
    [
      '--reduce with --results',
      ['--format', 'lines', '--reduce', 'cat', '--results', 'out', 'cat'],
      /--results/,
    ],
    ['--pipepart with --format', ['--pipepart', '-a', 'data.csv', '--format', 'csv', 'cat'], /--pipepart/],
    ['--pipepart with --records', ['--pipepart', '-a', 'data.csv', '--records', '2', 'cat'], /--pipepart/],
    [
      '--aggregate with --reduce',
      ['--format', 'lines', '--aggregate', 'sum', '--reduce', 'cat', 'cat'],
      /exclude/,
    ],
    [
      '--partitions without --map',
      ['--format', 'lines', '--partitions', '2', '--reduce', 'cat', 'cat'],
      /--partitions/,
    ],
    [
      '--map with a command as well',
      ['--format', 'lines', '--map', 'cat', '--reduce', 'cat', 'cat'],
      /--map/,
    ],
    ['an unknown --aggregate kind', ['--format', 'lines', '--aggregate', 'median', 'cat'], /median/],
    [
      '--partitions 0',
      ['--format', 'lines', '--map', 'cat', '--reduce', 'cat', '--partitions', '0'],
      /--partitions/,
    ],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, async () => {
      const cwd = tempDir({ 'data.csv': 'a,b\n1,2\n' });
      const r = await weft(args, { cwd, stdin: 'x\n' });
      expectOneLineError(r, pattern);
      expect(r.stdout).toBe('');
    });
  }
});
