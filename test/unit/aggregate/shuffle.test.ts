import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShuffle, partitionOf, type ShuffleOptions } from '../../../src/aggregate/index.js';
import { WeftError } from '../../../src/errors.js';
import { alive, ENV, rng, SHELL, shuffled, sink } from './helpers.js';

const MAP = `tr -s ' ' '\\n' | awk '{print $1"\\t1"}'`;
const REDUCE = `awk -F'\\t' '{c[$1]+=$2} END {for (k in c) print k"\\t"c[k]}' | sort`;
const VOCAB =
  'the of and to in is was for on that with as by at from his her it an were are which this be or'.split(' ');

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'weft-shuffle-test-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder for one shuffle's temporary files, so a test can see they are gone. */
let dirs = 0;
const freshTmp = (): string => {
  const d = join(root, `t${dirs++}`);
  mkdirSync(d);
  return d;
};
const leftovers = (dir: string): string[] => readdirSync(dir);

/** Text chunks of random words (with runs of spaces), the map outputs for them, and the true counts. */
function corpus(chunks: number, linesPerChunk: number, seed: number) {
  const r = rng(seed);
  const texts: string[] = [];
  const counts = new Map<string, number>();
  for (let c = 0; c < chunks; c++) {
    let text = '';
    for (let l = 0; l < linesPerChunk; l++) {
      const n = 1 + Math.floor(r() * 12);
      const words: string[] = [];
      for (let w = 0; w < n; w++) {
        // Mostly common words; some rare ones (made of digits) so there are many distinct keys.
        const word = r() < 0.8 ? VOCAB[Math.floor(r() * VOCAB.length)] : `w${Math.floor(r() * 400)}`;
        words.push(word);
        counts.set(word, (counts.get(word) ?? 0) + 1);
      }
      text += words.join(r() < 0.5 ? ' ' : '   ') + '\n';
    }
    texts.push(text);
  }
  const mapped = texts.map((t) => {
    const res = spawnSync(SHELL, ['-c', MAP], { input: t, env: ENV });
    expect(res.status).toBe(0);
    return res.stdout;
  });
  return { mapped, counts };
}

async function wordCount(mapped: Buffer[], o: Partial<ShuffleOptions>, seed = 1) {
  const tmp = freshTmp();
  const sh = createShuffle({ partitions: 4, tmpDir: tmp, ...o });
  for (const seq of shuffled(
    mapped.map((_, i) => i + 1),
    seed,
  )) {
    await sh.push(seq, mapped[seq - 1]);
  }
  const stats = sh.stats();
  const out = sink();
  const err = sink();
  const res = await sh.runReducers({
    shell: SHELL,
    cmd: REDUCE,
    env: ENV,
    concurrency: 2,
    stdout: out.stream,
    stderr: err.stream,
  });
  return { text: out.text(), stderr: err.text(), res, stats, after: sh.stats(), tmp };
}

function parseCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const [k, v] = line.split('\t');
    expect(m.has(k), `key ${k} reduced twice`).toBe(false);
    m.set(k, Number(v));
  }
  return m;
}

describe('createShuffle: MapReduce word count', () => {
  const { mapped, counts } = corpus(24, 60, 42);
  const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let reference: string;

  it('gives exact counts, without spilling', async () => {
    const { text, res, stats, stderr, tmp } = await wordCount(mapped, {});
    expect(stderr).toBe('');
    expect(res).toMatchObject({ failed: 0, aborted: false });
    expect(res.results.map((r) => r.partition)).toEqual([0, 1, 2, 3]);
    expect(stats.spills).toBe(0);
    expect(stats.records).toBe([...counts.values()].reduce((a, b) => a + b, 0));
    expect(sorted(parseCounts(text))).toEqual(sorted(counts));
    // Partition order: partition p's keys all come before partition p+1's.
    const parts = text
      .split('\n')
      .filter(Boolean)
      .map((l) => partitionOf(Buffer.from(l.split('\t')[0]), 4));
    expect(parts).toEqual([...parts].sort());
    expect(leftovers(tmp)).toEqual([]);
    reference = text;
  });

  it('gives the same output when a tiny buffer forces spills, and removes the spill files', async () => {
    const { text, stats, after, tmp } = await wordCount(mapped, { spillBytes: 1024 }, 2);
    expect(stats.spills).toBe(mapped.length); // every push passes 1 KB
    expect(stats.runFiles).toBe(4 * mapped.length);
    expect(after.runFiles).toBe(stats.runFiles); // 24 runs a partition: one merge, no extra pass
    expect(text).toBe(reference);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('gives the same output with many merge passes (fan-in 2)', async () => {
    const { text, stats, after, tmp } = await wordCount(mapped, { spillBytes: 3000, fanIn: 2 }, 3);
    expect(stats.spills).toBe(mapped.length);
    expect(after.runFiles).toBeGreaterThan(stats.runFiles + 40); // merge passes wrote runs of runs
    expect(text).toBe(reference);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('gives the same output with one partition and with many', async () => {
    expect(sorted(parseCounts((await wordCount(mapped, { partitions: 1 })).text))).toEqual(sorted(counts));
    expect(sorted(parseCounts((await wordCount(mapped, { partitions: 13, spillBytes: 2048 })).text))).toEqual(
      sorted(counts),
    );
  });
});

describe('createShuffle: what a reducer sees', () => {
  async function reduceAll(pushes: [number, string][], o: Partial<ShuffleOptions> & { cmd?: string } = {}) {
    const sh = createShuffle({ partitions: 1, tmpDir: freshTmp(), ...o });
    for (const [seq, text] of pushes) await sh.push(seq, Buffer.from(text));
    const out = sink();
    const res = await sh.runReducers({
      shell: SHELL,
      cmd: o.cmd ?? 'cat',
      env: ENV,
      concurrency: 2,
      stdout: out.stream,
      stderr: sink().stream,
    });
    return { text: out.text(), res };
  }

  it('sorts by key bytes; equal keys keep chunk order, then line order; lines pass unchanged', async () => {
    const pushes: [number, string][] = [
      [3, 'b\t3.1\na\t3.1\nb\t3.2\n'],
      [1, 'b\t1.1\n\nkeyonly\nB\t1.2\nb\t1.3\t+tab\n'],
      [2, 'a\t2.1\na b\t2.2\n\ta\nb\t2.3'],
    ];
    const want =
      '\ta\nB\t1.2\na\t2.1\na\t3.1\na b\t2.2\nb\t1.1\nb\t1.3\t+tab\nb\t2.3\nb\t3.1\nb\t3.2\nkeyonly\n';
    expect((await reduceAll(pushes)).text).toBe(want);
    expect((await reduceAll(pushes, { spillBytes: 1 })).text).toBe(want); // a spill after every push
  });

  it('gives the reducer WEFT_PARTITION and writes outputs in partition order, however long each takes', async () => {
    const cmd =
      'cat >/dev/null; [ "$WEFT_PARTITION" = 0 ] && sleep 0.3; echo "p$WEFT_PARTITION seq $PARALLEL_SEQ"';
    const { text } = await reduceAll([[1, 'x\n']], { partitions: 4, cmd });
    expect(text).toBe('p0 seq 1\np1 seq 2\np2 seq 3\np3 seq 4\n');
  });

  it('counts failed reducers', async () => {
    const sh = createShuffle({ partitions: 3 });
    await sh.push(1, Buffer.from('a\t1\n'));
    const res = await sh.runReducers({
      shell: SHELL,
      cmd: 'cat >/dev/null; [ "$WEFT_PARTITION" = 1 ] && exit 2; exit 0',
      env: ENV,
      concurrency: 3,
      stdout: sink().stream,
      stderr: sink().stream,
    });
    expect(res.failed).toBe(1);
    expect(res.results.map((r) => r.exitCode)).toEqual([0, 2, 0]);
  });

  it('runs a reducer for every partition, or only for non-empty ones with skipEmpty', async () => {
    for (const skipEmpty of [false, true]) {
      const sh = createShuffle({ partitions: 8 });
      await sh.push(1, Buffer.from('only\t1\nonly\t2\n'));
      const out = sink();
      const res = await sh.runReducers({
        shell: SHELL,
        cmd: 'wc -l | tr -d " "',
        env: ENV,
        concurrency: 4,
        stdout: out.stream,
        stderr: sink().stream,
        skipEmpty,
      });
      const p = partitionOf(Buffer.from('only'), 8);
      if (skipEmpty) {
        expect(res.results.map((r) => r.partition)).toEqual([p]);
        expect(out.text()).toBe('2\n');
      } else {
        expect(res.results).toHaveLength(8);
        expect(out.text().split('\n').filter(Boolean)).toEqual(
          Array.from({ length: 8 }, (_, i) => (i === p ? '2' : '0')),
        );
      }
    }
  });
});

describe('createShuffle: lifecycle and errors', () => {
  it('abort kills every running reducer group and still removes the temporary files', async () => {
    const tmp = freshTmp();
    const sh = createShuffle({ partitions: 3, spillBytes: 1, tmpDir: tmp });
    await sh.push(1, Buffer.from('a\t1\nb\t1\nc\t1\nd\t1\n'));
    expect(leftovers(tmp)).toHaveLength(1);
    const ac = new AbortController();
    const out = sink();
    const running = sh.runReducers({
      shell: SHELL,
      cmd: 'sleep 30 & echo $!; wait',
      env: ENV,
      concurrency: 3,
      stdout: out.stream,
      stderr: sink().stream,
      signal: ac.signal,
    });
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 300);
    const res = await running;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(res.aborted).toBe(true);
    expect(res.failed).toBe(3);
    expect(res.results.every((r) => r.killed === 'interrupt')).toBe(true);
    const sleepers = out.text().split('\n').filter(Boolean).map(Number);
    for (let i = 0; i < 50 && sleepers.some(alive); i++) await new Promise((ok) => setTimeout(ok, 20));
    expect(sleepers.filter(alive)).toEqual([]);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('close() removes spill files when the reduce never runs', async () => {
    const tmp = freshTmp();
    const sh = createShuffle({ partitions: 2, spillBytes: 10, tmpDir: tmp });
    await sh.push(1, Buffer.from('k\tv\n'.repeat(100)));
    expect(sh.stats().spills).toBe(1);
    expect(readdirSync(sh.stats().dir!).length).toBeGreaterThan(0);
    await sh.close();
    expect(leftovers(tmp)).toEqual([]);
    expect(sh.stats().dir).toBeUndefined();
  });

  it('a spill file lost before the reduce is an E_SHUFFLE error; reducers end, temp files go', async () => {
    const tmp = freshTmp();
    const sh = createShuffle({ partitions: 2, spillBytes: 1, tmpDir: tmp });
    await sh.push(1, Buffer.from('a\t1\nb\t2\nc\t3\n'));
    const dir = sh.stats().dir!;
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    const run = sh.runReducers({
      shell: SHELL,
      cmd: 'cat',
      env: ENV,
      concurrency: 2,
      stdout: sink().stream,
      stderr: sink().stream,
    });
    await expect(run).rejects.toMatchObject({ code: 'E_SHUFFLE' });
    expect(leftovers(tmp)).toEqual([]);
  });

  it('a temporary folder that cannot be made is an E_SHUFFLE error', async () => {
    const sh = createShuffle({ partitions: 2, spillBytes: 10, tmpDir: '/dev/null/weft' });
    const err = await sh.push(1, Buffer.from('k\tv\n'.repeat(10))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_SHUFFLE');
    await expect(
      sh.runReducers({
        shell: SHELL,
        cmd: 'cat',
        env: ENV,
        concurrency: 1,
        stdout: sink().stream,
        stderr: sink().stream,
      }),
    ).rejects.toBe(err);
  });

  it('rejects bad partition counts, a chunk pushed twice, and pushes after the reduce', async () => {
    expect(() => createShuffle({ partitions: 0 })).toThrow(/--partitions/);
    expect(() => createShuffle({ partitions: 1.5 })).toThrow(WeftError);
    const sh = createShuffle({ partitions: 1 });
    await sh.push(1, Buffer.from('a\n'));
    await expect(sh.push(1, Buffer.from('a\n'))).rejects.toThrow(/pushed twice/);
    await sh.runReducers({
      shell: SHELL,
      cmd: 'cat',
      env: ENV,
      concurrency: 1,
      stdout: sink().stream,
      stderr: sink().stream,
    });
    await expect(sh.push(2, Buffer.from('b\n'))).rejects.toThrow(/after the reduce/);
  });
});

describe('createShuffle: properties', () => {
  const KEYS = ['a', 'b', 'ab', 'ba', 'b a', 'B', 'a\u00e9', 'zz', ''];
  const lineArb = fc.record({ key: fc.constantFrom(...KEYS), valued: fc.boolean() });
  const caseArb = fc.record({
    chunks: fc.array(fc.array(lineArb, { maxLength: 12 }), { minLength: 1, maxLength: 10 }),
    partitions: fc.integer({ min: 1, max: 5 }),
    spillBytes: fc.constantFrom(1, 150, 500, 1 << 30),
    fanIn: fc.integer({ min: 2, max: 4 }),
    seed: fc.integer(),
  });

  it('every key reaches exactly one partition, its own, each sorted and stable; nothing is lost; no temp files stay', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ chunks, partitions, spillBytes, fanIn, seed }) => {
        const tmp = freshTmp();
        const sh = createShuffle({ partitions, spillBytes, fanIn, tmpDir: tmp });
        const input: string[] = [];
        const texts = chunks.map((lines, c) =>
          lines
            .map(({ key, valued }, i) => {
              // Values name their chunk and line, so the order of equal keys can be checked.
              const line = valued || key === '' ? `${key}\t${c + 1}.${i}` : key;
              input.push(line);
              return `${line}\n`;
            })
            .join(''),
        );
        for (const seq of shuffled(
          texts.map((_, i) => i + 1),
          seed,
        )) {
          await sh.push(seq, Buffer.from(texts[seq - 1]));
        }
        const out = sink();
        const res = await sh.runReducers({
          shell: SHELL,
          cmd: `printf '#P%s\\n' "$WEFT_PARTITION"; cat`,
          env: ENV,
          concurrency: 2,
          stdout: out.stream,
          stderr: sink().stream,
        });
        expect(res.failed).toBe(0);

        const got: string[][] = [];
        for (const line of out.text().split('\n').slice(0, -1)) {
          if (line.startsWith('#P')) {
            expect(Number(line.slice(2))).toBe(got.length);
            got.push([]);
          } else got[got.length - 1].push(line);
        }
        expect(got).toHaveLength(partitions);
        const owner = new Map<string, number>();
        got.forEach((lines, p) => {
          const keys = lines.map((l) => Buffer.from(l.split('\t')[0]));
          for (let i = 0; i < keys.length; i++) {
            const k = keys[i].toString();
            expect(partitionOf(keys[i], partitions)).toBe(p);
            expect(owner.get(k) ?? p).toBe(p);
            owner.set(k, p);
            if (i > 0) expect(Buffer.compare(keys[i - 1], keys[i])).toBeLessThanOrEqual(0);
          }
        });
        // Nothing lost or added.
        expect(got.flat().sort()).toEqual([...input].sort());
        // Equal keys: chunk order, then line order.
        const byKey = new Map<string, number[][]>();
        for (const l of got.flat()) {
          const [k, v] = l.split('\t');
          if (v === undefined) continue;
          byKey.set(k, [...(byKey.get(k) ?? []), v.split('.').map(Number)]);
        }
        for (const vs of byKey.values()) {
          const want = [...vs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
          expect(vs).toEqual(want);
        }
        expect(leftovers(tmp)).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
