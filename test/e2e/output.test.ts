import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sortedLines, tempDir, weft, WEFT } from './helpers.js';

/** Every file under `dir` with its content, paths relative to `dir`. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Runs weft and records when each stdout chunk arrived (ms after start) and when weft exited. */
function timed(
  args: string[],
): Promise<{ chunks: { at: number; text: string }[]; exitAt: number; stdout: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [WEFT, ...args], {
      cwd: tempDir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: { at: number; text: string }[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push({ at: Date.now() - t0, text: b.toString() }));
    child.on('close', () =>
      resolve({ chunks, exitAt: Date.now() - t0, stdout: chunks.map((c) => c.text).join('') }),
    );
  });
}

// Job a prints a1 at once and a2 after 1 s; job b prints b1 after 0.5 s (and ends first).
const RACE = [
  '-j2',
  'case {} in a) echo a1; sleep 1; echo a2;; b) sleep 0.5; echo b1;; esac',
  ':::',
  'a',
  'b',
];

/** Runs RACE with each option set at once; returns their stdouts. */
const race = async (...optionSets: string[][]) =>
  (await Promise.all(optionSets.map((o) => weft([...o, ...RACE])))).map((r) => r.stdout);

describe('output modes (timing based, run one at a time)', () => {
  it('default (--group): each job’s output whole, in finishing order', async () => {
    expect(await race([], ['--group'])).toEqual(['b1\na1\na2\n', 'b1\na1\na2\n']);
  });

  it('-k and -k --line-buffer: input order, the oldest job live', async () => {
    expect(await race(['-k'], ['-k', '--line-buffer'])).toEqual(['a1\na2\nb1\n', 'a1\na2\nb1\n']);
  });

  it('--line-buffer: lines as they come', async () => {
    expect(await race(['--line-buffer'], ['--lb'])).toEqual(['a1\nb1\na2\n', 'a1\nb1\na2\n']);
  });

  it('--line-buffer --tag: tagged lines as they come', async () => {
    expect((await weft(['--line-buffer', '--tag', ...RACE])).stdout).toBe('a\ta1\nb\tb1\na\ta2\n');
  });

  it('-u: output as it arrives', async () => {
    expect(await race(['-u'], ['--ungroup'])).toEqual(['a1\nb1\na2\n', 'a1\nb1\na2\n']);
  });

  it('--line-buffer prints a finished line before the job ends', async () => {
    const r = await timed(['--line-buffer', 'echo first; sleep 1.2; echo second', ':::', 'x']);
    expect(r.stdout).toBe('first\nsecond x\n');
    const first = r.chunks.find((c) => c.text.startsWith('first'));
    expect(first).toBeDefined();
    expect(r.exitAt - first!.at).toBeGreaterThan(800);
  });

  it('-u prints output before the job ends, even without a newline', async () => {
    const r = await timed(['-u', 'printf part; sleep 1.2; echo rest', ':::', 'x']);
    expect(r.stdout).toBe('partrest x\n');
    expect(r.chunks[0].text).toBe('part');
    expect(r.exitAt - r.chunks[0].at).toBeGreaterThan(800);
  });

  it('--line-buffer holds back a partial line until its newline', async () => {
    const r = await timed(['--line-buffer', 'printf "a\\nb"; sleep 1; echo c', ':::', 'x']);
    expect(r.stdout).toBe('a\nbc x\n');
    expect(r.chunks[0].text).toBe('a\n');
    expect(r.exitAt - r.chunks[0].at).toBeGreaterThan(700);
  });
});

describe.concurrent('tags, stderr and results', () => {
  it('stdout goes to stdout and stderr to stderr', async () => {
    const r = await weft(['-k', 'echo out{}; echo err{} >&2', ':::', '1', '2']);
    expect(r.stdout).toBe('out1\nout2\n');
    expect(r.stderr).toBe('err1\nerr2\n');
    expect(r.code).toBe(0);
  });

  it('a failing job’s stderr is still printed and counted', async () => {
    const r = await weft(['-k', 'echo bad{} >&2; exit 3', ':::', 'x']);
    expect(r).toMatchObject({ stdout: '', stderr: 'badx\n', code: 1 });
  });

  it('--tag prefixes stdout and stderr lines with the argument and a TAB', async () => {
    const r = await weft(['-k', '--tag', 'echo out; echo err >&2; printf "l1\\nl2"', ':::', 'a', 'b c']);
    expect(r.stdout).toBe('a\tout\na\tl1\na\tl2b c\tout\nb c\tl1\nb c\tl2');
    expect(r.stderr).toBe('a\terr\nb c\terr\n');
  });

  it('--tag with several sources joins the arguments with a space (GNU parallel)', async () => {
    const r = await weft(['-k', '--tag', 'echo', ':::', 'a', 'b', ':::', '1']);
    expect(r.stdout).toBe('a 1\ta 1\nb 1\tb 1\n');
  });

  it('--tag with -n 2 tags with both arguments (GNU parallel)', async () => {
    const r = await weft(['-k', '--tag', '-n', '2', 'echo', ':::', 'a', 'b', 'c']);
    expect(r.stdout).toBe('a b\ta b\nc\tc\n');
  });

  it('--tag with an empty argument still prefixes a TAB (GNU parallel)', async () => {
    const r = await weft(['-k', '--tag', 'echo', 'x', ':::', '', 'a']);
    expect(r.stdout).toBe('\tx \na\tx a\n');
  });

  it('--tagstring STR with replacement strings, values unquoted', async () => {
    const r = await weft(['-k', '--tagstring', '<{}>#{#}', 'echo', 'x', ':::', 'a', "b c'd"]);
    expect(r.stdout).toBe("<a>#1\tx a\n<b c'd>#2\tx b c'd\n");
    const two = await weft(['-k', '--tagstring', '{2}-{1}', 'echo', ':::', 'a', ':::', 'z']);
    expect(two.stdout).toBe('z-a\ta z\n');
  });

  it('--tagstring with {%} and a literal TAB-free string', async () => {
    const r = await weft(['-k', '-j1', '--tagstring', 'slot{%}', 'echo', ':::', 'a', 'b']);
    expect(r.stdout).toBe('slot1\ta\nslot1\tb\n');
  });

  it('--results DIR: GNU layout DIR/1/<arg>/2/<arg>/{stdout,stderr,seq}, nothing on stdout', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--results', 'res', 'echo out{1}{2}; echo err{1} >&2', ':::', 'a', 'b', ':::', '1'],
      {
        cwd,
      },
    );
    expect(r).toMatchObject({ stdout: '', stderr: '', code: 0 });
    expect(tree(join(cwd, 'res'))).toEqual({
      '1/a/2/1/stdout': 'outa1\n',
      '1/a/2/1/stderr': 'erra\n',
      '1/a/2/1/seq': '1',
      '1/b/2/1/stdout': 'outb1\n',
      '1/b/2/1/stderr': 'errb\n',
      '1/b/2/1/seq': '2',
    });
  });

  it('--results escapes / and \\ in values and uses --header names', async () => {
    const cwd = tempDir();
    await weft(['--results', 'res', 'echo', ':::', 'a/b', 'c\\d'], { cwd });
    expect(Object.keys(tree(join(cwd, 'res'))).sort()).toEqual([
      '1/a\\_b/seq',
      '1/a\\_b/stderr',
      '1/a\\_b/stdout',
      '1/c\\\\d/seq',
      '1/c\\\\d/stderr',
      '1/c\\\\d/stdout',
    ]);
    const cwd2 = tempDir();
    await weft(['--results', 'res', '--header', ':', 'echo', '{x}', ':::', 'x', '1', '2'], { cwd: cwd2 });
    expect(tree(join(cwd2, 'res'))).toEqual({
      'x/1/stdout': '1\n',
      'x/1/stderr': '',
      'x/1/seq': '1',
      'x/2/stdout': '2\n',
      'x/2/stderr': '',
      'x/2/seq': '2',
    });
  });

  it('--results keeps only the last attempt with --retries', async () => {
    const cwd = tempDir();
    const r = await weft(
      [
        '--results',
        'res',
        '--retries',
        '3',
        'echo try >> count; echo n$(wc -l < count) {}; [ $(wc -l < count) -ge 2 ]',
        ':::',
        'a',
      ],
      { cwd },
    );
    expect(r.code).toBe(0);
    expect(tree(join(cwd, 'res'))['1/a/stdout']).toBe('n2 a\n');
  });

  it('-k with many jobs of random length keeps input order', async () => {
    const values = Array.from({ length: 20 }, (_, i) => String(i));
    const r = await weft(['-k', '-j8', 'sleep 0.0$((RANDOM % 10)); echo {}', ':::', ...values]);
    expect(r.stdout).toBe(values.map((v) => v + '\n').join(''));
  });

  it('without -k output of a job is never interleaved with another (group)', async () => {
    const values = Array.from({ length: 12 }, (_, i) => String(i));
    const r = await weft(['-j6', 'for i in 1 2 3; do echo {}-$i; sleep 0.01; done', ':::', ...values]);
    const got = r.stdout.trim().split('\n');
    expect(sortedLines(r.stdout)).toEqual(values.flatMap((v) => [1, 2, 3].map((i) => `${v}-${i}`)).sort());
    for (let k = 0; k < got.length; k += 3) {
      const job = got[k].split('-')[0];
      expect(got.slice(k, k + 3)).toEqual([`${job}-1`, `${job}-2`, `${job}-3`]);
    }
  });
});
