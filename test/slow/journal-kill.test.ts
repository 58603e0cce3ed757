// Fault injection (docs/reliability.md, "Journal and resume"): weft is SIGKILLed at random
// moments of a run with --journal, then resumed; the final output must be byte-identical to
// an uninterrupted run, with every job's output exactly once. Reproduce a failure with
// WEFT_FAULT_SEED=<the seed printed> npx vitest run --project slow test/slow/journal-kill.test.ts
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  eachOnce,
  killMarked,
  markedPids,
  prng,
  replayedAndRan,
  runWeft,
  seedFromEnv,
  type Outcome,
} from './fault.js';

const SEED = seedFromEnv();
const random = prng(SEED);
const TRIALS = 10;
const root = mkdtempSync(join(tmpdir(), 'weft-fault-'));
const mark = `journal-${process.pid}-${SEED}`;
afterAll(async () => {
  await killMarked(mark);
  rmSync(root, { recursive: true, force: true });
});
console.log(`journal fault injection: seed ${SEED} (WEFT_FAULT_SEED=${SEED} to replay)`);

let trialCount = 0;

interface Trial {
  killAt: number;
  /** Jobs the resumed run took from the journal, and the jobs it ran. */
  replayed: number;
  ran: number;
  leftovers: number;
  identical: boolean;
  eachOnce: boolean;
}

/**
 * One trial: start the journaled run, SIGKILL it at a random moment within `spanMs` (drawn
 * again, earlier, should the run end first), clean up its jobs, resume it to the end.
 */
async function trial(
  dir: string,
  args: (extra: string[]) => string[],
  spanMs: number,
  expected: Buffer,
  jobs: number,
  stdinFile?: string,
): Promise<Trial> {
  let killed: Outcome | undefined;
  let killAt = 0;
  for (let span = spanMs; !killed || killed.code !== null; span /= 2) {
    if (span < 20) throw new Error('weft always finished before the kill');
    killAt = Math.round(random() * span);
    rmSync(join(dir, 'j.wj'), { force: true });
    killed = await runWeft(args([]), { cwd: dir, mark, stdinFile, killAfterMs: killAt });
  }
  const leftovers = await killMarked(mark);
  // A resumed run appends to its --events file: each trial has its own.
  const events = join(dir, `ev-${++trialCount}.ndjson`);
  rmSync(events, { force: true });
  const resumed = await runWeft(args(['--resume', '--events', events]), { cwd: dir, mark, stdinFile });
  expect(resumed.code, resumed.stderr).toBe(0);
  const seqs = replayedAndRan(events);
  return {
    killAt,
    replayed: seqs.replayed.length,
    ran: seqs.ran.length,
    leftovers,
    identical: resumed.stdout.equals(expected),
    eachOnce: eachOnce([...seqs.replayed, ...seqs.ran], jobs),
  };
}

function report(name: string, trials: Trial[]): void {
  for (const [i, t] of trials.entries()) {
    console.log(
      `${name} #${i + 1}: killed at ${t.killAt} ms; resumed: ${t.replayed} replayed, ${t.ran} run` +
        `${t.leftovers ? `, ${t.leftovers} leftover process(es) killed` : ''}; ` +
        (t.identical ? 'identical' : 'OUTPUT DIFFERS') +
        (t.eachOnce ? '' : ', NOT every job exactly once'),
    );
  }
}

describe('kill -9 at random moments, then --resume (seeded)', () => {
  it(`2000 jobs with -k: the resumed output is the uninterrupted output, ${TRIALS} of ${TRIALS}`, async () => {
    const dir = join(root, 'jobs');
    const N = 2000;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'in.txt'), Array.from({ length: N }, (_, i) => `${i + 1}\n`).join(''));
    // Every 40th job sleeps, so that kills land while jobs run, finish and print.
    const cmd = 'if [ $(({} % 40)) = 0 ]; then sleep 0.05; fi; echo job {} $(({} * 7919 % 10007))';
    const args = (extra: string[]) => ['-k', '-j8', ...extra, '--journal', 'j.wj', cmd, '::::', 'in.txt'];
    const plain = await runWeft(['-k', '-j8', cmd, '::::', 'in.txt'], { cwd: dir, mark });
    expect(plain.code, plain.stderr).toBe(0);
    const outLines = plain.stdout.toString().split('\n');
    expect(outLines).toHaveLength(N + 1);
    expect(outLines[N - 1]).toBe(`job ${N} ${(N * 7919) % 10007}`);
    const full = await runWeft(args([]), { cwd: dir, mark });
    expect(full.stdout.equals(plain.stdout)).toBe(true);

    const trials: Trial[] = [];
    for (let i = 0; i < TRIALS; i++) trials.push(await trial(dir, args, full.ms, plain.stdout, N));
    report('2000 jobs', trials);
    expect(trials.filter((t) => t.identical && t.eachOnce)).toHaveLength(TRIALS);
    expect(markedPids(mark)).toEqual([]);
  });

  it(`200 MB with --pipe --aggregate sum: the resumed sum is the uninterrupted sum, ${TRIALS} of ${TRIALS}`, async () => {
    const dir = join(root, 'pipe');
    mkdirSync(dir, { recursive: true });
    const { lines, sum } = await numbers(join(dir, 'nums.txt'), 200 * 1024 * 1024);
    // Each chunk reports its line count and its sum (%.0f: exact up to 2^53, unlike mawk's %d).
    const cmd = `awk '{s+=$1} END {printf "lines\\t%.0f\\nsum\\t%.0f\\n", NR, s}'`;
    const args = (extra: string[]) => [
      '--pipe',
      '-j4',
      ...extra,
      '--journal',
      'j.wj',
      '--aggregate',
      'sum',
      cmd,
    ];
    const expected = Buffer.from(`lines\t${lines}\nsum\t${sum}\n`);
    const full = await runWeft(args(['--events', 'full.ndjson']), { cwd: dir, mark, stdinFile: 'nums.txt' });
    expect(full.stdout.toString(), full.stderr).toBe(expected.toString());
    const chunks = replayedAndRan(join(dir, 'full.ndjson')).ran.length;
    expect(chunks).toBeGreaterThanOrEqual(200);

    const trials: Trial[] = [];
    for (let i = 0; i < TRIALS; i++)
      trials.push(await trial(dir, args, full.ms, expected, chunks, 'nums.txt'));
    report('200 MB sum', trials);
    expect(trials.filter((t) => t.identical && t.eachOnce)).toHaveLength(TRIALS);
    expect(markedPids(mark)).toEqual([]);
  });
});

/**
 * Writes about `size` bytes of lines `<number 0..999999> <filler of 1..52 letters>` (lines of
 * varied length, so chunks end at varied places) and returns their count and the sum.
 */
async function numbers(path: string, size: number): Promise<{ lines: number; sum: number }> {
  const r = prng(SEED ^ 0x5eed);
  const out = createWriteStream(path);
  const filler = 'abcdefghijklmnopqrstuvwxyz'.repeat(2);
  let written = 0;
  let lines = 0;
  let sum = 0;
  while (written < size) {
    let block = '';
    while (block.length < 1 << 20) {
      const n = Math.floor(r() * 1_000_000);
      block += `${n} ${filler.slice(0, 1 + Math.floor(r() * 52))}\n`;
      lines++;
      sum += n;
    }
    written += block.length;
    if (!out.write(block)) await new Promise((res) => out.once('drain', res));
  }
  await new Promise<void>((res, rej) => out.end((err?: Error | null) => (err ? rej(err) : res())));
  return { lines, sum };
}
