import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { lines, sortedLines, tempDir, weft } from './helpers.js';

const CORES = availableParallelism();
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

/** True while `pid` is a live process (a zombie counts as dead: it has exited). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Waits up to `ms` for `pid` to die; true if it did. */
async function dies(pid: number, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!alive(pid)) return true;
  return !alive(pid);
}

/** The Nth (1-based) tab-separated column of each joblog row, without the header. */
const joblogCol = (text: string, n: number) =>
  lines(text)
    .slice(1)
    .map((l) => l.split('\t')[n - 1]);

// Both ways weft starts jobs: the default (a persistent shell per slot when possible) and
// one spawn per job (WEFT_DISPATCH=spawn). Users get the default; both must behave the same.
describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('running jobs (%s)', (_name, env: Record<string, string>) => {
  const run = (args: string[], opts: Parameters<typeof weft>[1] = {}) => weft(args, { ...opts, env });

  describe.concurrent('slots, environment and exit status', () => {
    it('PARALLEL_SEQ is the job number', async () => {
      const r = await run(['-k', 'echo $PARALLEL_SEQ {}', ':::', 'a', 'b', 'c']);
      expect(r.stdout).toBe('1 a\n2 b\n3 c\n');
    });

    it('PARALLEL_JOBSLOT and {%} agree, never exceed -j and are reused', async () => {
      const r = await run([
        '-j3',
        'sleep 0.$(( {} % 3 + 1 )); echo $PARALLEL_JOBSLOT {%} {}',
        ':::',
        ...range(12),
      ]);
      expect(r.code).toBe(0);
      const rows = lines(r.stdout).map((l) => l.split(' '));
      expect(rows).toHaveLength(12);
      for (const [envSlot, tplSlot] of rows) expect(envSlot).toBe(tplSlot);
      const used = [...new Set(rows.map((x) => x[0]))].sort();
      expect(used).toEqual(['1', '2', '3']);
    });

    it('a job sees weft’s environment plus PARALLEL_SEQ/JOBSLOT/PID only (no weft internals)', async () => {
      const r = await run(['-j1', 'env -0; : {}', ':::', 'x']);
      const names = r.stdout
        .split('\0')
        .filter((kv) => kv !== '')
        .map((kv) => kv.slice(0, kv.indexOf('=')));
      const parent = new Set(Object.keys({ ...process.env, ...env }));
      // bash itself sets these.
      const shell = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD']);
      expect(names.filter((n) => !parent.has(n) && !shell.has(n)).sort()).toEqual([
        'PARALLEL_JOBSLOT',
        'PARALLEL_PID',
        'PARALLEL_SEQ',
      ]);
    });

    it('a job with its stdin from weft does not read ~/.bashrc when SHLVL is unset (cron)', async () => {
      // bash reads ~/.bashrc when its stdin is a socket and SHLVL < 1: weft's pipes are sockets.
      const home = tempDir({ '.bashrc': 'export FROM_BASHRC=yes\n' });
      const whole: Record<string, string> = {
        ...(process.env as Record<string, string>),
        ...env,
        HOME: home,
        SHELL: '/bin/bash',
      };
      delete whole.SHLVL;
      const modes = [
        ['--pipe', 'cat >/dev/null; echo "[$FROM_BASHRC]"'],
        ['echo "[$FROM_BASHRC]" {}', ':::', 'x'],
        ['-q', 'bash', '-c', 'echo "[$FROM_BASHRC]"', ':::', 'x'],
      ];
      for (const args of modes) {
        const r = await weft(args, { env: whole, stdin: 'a\n', replaceEnv: true });
        expect(r.stdout, args.join(' ')).toMatch(/^\[\]/);
        expect(r.code).toBe(0);
      }
    });

    it('-j1 runs one job at a time in slot 1', async () => {
      const r = await run(['-k', '-j1', 'echo $PARALLEL_JOBSLOT', ':::', 'a', 'b', 'c']);
      expect(r.stdout).toBe('1 a\n1 b\n1 c\n');
    });

    it('-j N runs N jobs at once (slots 1..N all used, none above)', async () => {
      const r = await run(['-j4', 'sleep 0.3; echo {%}', ':::', ...range(8)]);
      expect([...new Set(lines(r.stdout))].sort()).toEqual(['1', '2', '3', '4']);
    });

    it('-j 0 runs as many as possible at once', async () => {
      const r = await run(['-j0', 'sleep 0.5; echo {%}', ':::', ...range(10)]);
      expect(sortedLines(r.stdout)).toEqual(range(10).sort());
    });

    it('-j N% / +N / -N are relative to the cores', async () => {
      const expectSlots = async (j: string, slots: number) => {
        const r = await run([`-j${j}`, 'sleep 0.4; echo {%}', ':::', ...range(slots + 2)]);
        const used = new Set(lines(r.stdout).map(Number));
        expect(Math.max(...used)).toBe(slots);
        expect(used.size).toBe(slots);
      };
      await Promise.all([
        expectSlots('+1', CORES + 1),
        expectSlots('100%', CORES),
        expectSlots('-1', Math.max(1, CORES - 1)),
        expectSlots('50%', Math.max(1, Math.floor(CORES / 2))),
      ]);
    });

    it('the default -j is the number of cores', async () => {
      const r = await run(['sleep 0.4; echo {%}', ':::', ...range(CORES + 2)]);
      expect(Math.max(...lines(r.stdout).map(Number))).toBe(CORES);
    });

    it('exit status is the number of failed jobs', async () => {
      expect((await run(['exit {}', ':::', '0', '0'])).code).toBe(0);
      expect((await run(['exit {}', ':::', '0', '1', '2', '3'])).code).toBe(3);
      expect((await run(['exit {}', ':::', '255', '7'])).code).toBe(2);
    });

    it('exit status is 101 when more than 100 jobs failed (150 failing jobs)', async () => {
      const r = await run(['-j16', 'exit 1 || {}', ':::', ...range(150)]);
      expect(r.code).toBe(101);
      expect(r.stdout).toBe('');
    });

    it('exactly 100 failed jobs give 100', async () => {
      const r = await run(['-j16', 'exit 1 || {}', ':::', ...range(100)]);
      expect(r.code).toBe(100);
    });

    it('a job killed by a signal counts as failed', async () => {
      const cwd = tempDir();
      const r = await run(['--joblog', 'jl', 'kill -9 $$ # {}', ':::', 'x'], { cwd });
      expect(r.code).toBe(1);
      expect(joblogCol(readFileSync(join(cwd, 'jl'), 'utf8'), 8)).toEqual(['9']);
    });

    it('a command that does not exist fails with 127 in the joblog', async () => {
      const cwd = tempDir();
      const r = await run(['--joblog', 'jl', 'no-such-command-weft', ':::', 'x'], { cwd });
      expect(r.code).toBe(1);
      expect(joblogCol(readFileSync(join(cwd, 'jl'), 'utf8'), 7)).toEqual(['127']);
      expect(r.stderr).toContain('no-such-command-weft');
    });
  });

  describe.concurrent('--halt', () => {
    it('now,fail=1: stops at the first failure, exit = its status', async () => {
      const r = await run(['-j1', '--halt', 'now,fail=1', 'echo {}; exit {}', ':::', '0', '3', '0']);
      expect(r).toMatchObject({ stdout: '0\n3\n', code: 3 });
    });

    it('soon,fail=1: same with one slot', async () => {
      const r = await run(['-j1', '--halt', 'soon,fail=1', 'echo {}; exit {}', ':::', '0', '4', '0']);
      expect(r).toMatchObject({ stdout: '0\n4\n', code: 4 });
    });

    it('now,fail=1 kills the running jobs', async () => {
      const r = await run([
        '-j2',
        '--halt',
        'now,fail=1',
        'sh',
        '-c',
        '{}',
        ':::',
        'sleep 10; echo late',
        'sleep 0.3; exit 5',
      ]);
      expect(r.code).toBe(5);
      expect(r.stdout).toBe('');
      expect(r.ms).toBeLessThan(5000);
    });

    it('soon,fail=1 lets the running jobs finish but starts no new one', async () => {
      const r = await run([
        '-j2',
        '--halt',
        'soon,fail=1',
        'sh',
        '-c',
        '{}',
        ':::',
        'sleep 1; echo finished',
        'sleep 0.2; exit 2',
        'echo never',
      ]);
      expect(r.stdout).toBe('finished\n');
      expect(r.code).toBe(2);
    });

    it('now,success=1: stops at the first success, exit 0', async () => {
      const r = await run(['-j1', '--halt', 'now,success=1', 'echo {}; exit {}', ':::', '4', '0', '0']);
      expect(r).toMatchObject({ stdout: '4\n0\n', code: 0 });
    });

    it('legacy --halt 2 is now,fail=1', async () => {
      const r = await run(['-j1', '--halt', '2', 'echo {}; exit {}', ':::', '0', '6', '0']);
      expect(r).toMatchObject({ stdout: '0\n6\n', code: 6 });
    });

    // GNU: with fail=N (N > 1) or done=N the exit status is the number of failed jobs.
    it('soon,fail=2: exit status is the number of failed jobs (GNU parallel)', async () => {
      const r = await run([
        '-j1',
        '--halt',
        'soon,fail=2',
        'echo {}; exit {}',
        ':::',
        '0',
        '3',
        '5',
        '0',
        '0',
      ]);
      expect(r).toMatchObject({ stdout: '0\n3\n5\n', code: 2 });
    });

    it('now,done=2: exit status is the number of failed jobs (GNU parallel)', async () => {
      const r = await run(['-j1', '--halt', 'now,done=2', 'echo {}; exit {}', ':::', '0', '3', '5']);
      expect(r).toMatchObject({ stdout: '0\n3\n', code: 1 });
    });

    // GNU: halt_count = total * pct; exit status ceil(failed / total * 100).
    it('now,fail=50%: halts when half the jobs failed, exit 50 (GNU parallel)', async () => {
      const r = await run(['-j1', '--halt', 'now,fail=50%', 'echo {}; exit {}', ':::', '1', '1', '0', '0']);
      expect(r).toMatchObject({ stdout: '1\n1\n', code: 50 });
    });

    it('legacy --halt -1 is soon,success=1 (GNU parallel)', async () => {
      const r = await run(['-j1', '--halt', '-1', 'echo {}; exit {}', ':::', '1', '0', '1']);
      expect(r).toMatchObject({ stdout: '1\n0\n', code: 0 });
    });
  });

  describe.concurrent('--retries, --timeout, --delay', () => {
    it('--retries N reruns a failing job until it succeeds', async () => {
      const cwd = tempDir();
      const r = await run(
        ['--retries', '3', 'echo x >> n{}; echo try$(wc -l < n{}); [ $(wc -l < n{}) -ge 3 ]', ':::', 'a'],
        { cwd },
      );
      expect(r).toMatchObject({ stdout: 'try3\n', code: 0 });
    });

    it('--retries N gives up after N attempts; only the last output is shown', async () => {
      const cwd = tempDir();
      const r = await run(
        ['--joblog', 'jl', '--retries', '2', 'echo x >> n{}; echo try$(wc -l < n{}); exit 1', ':::', 'a'],
        {
          cwd,
        },
      );
      expect(r).toMatchObject({ stdout: 'try2\n', code: 1 });
      expect(readFileSync(join(cwd, 'na'), 'utf8')).toBe('x\nx\n');
      expect(joblogCol(readFileSync(join(cwd, 'jl'), 'utf8'), 7)).toEqual(['1']);
    });

    it('--retries 0 or 1 runs once', async () => {
      for (const n of ['0', '1']) {
        const cwd = tempDir();
        const r = await run(['--retries', n, 'echo x >> n{}; exit 1', ':::', 'a'], { cwd });
        expect(r.code).toBe(1);
        expect(readFileSync(join(cwd, 'na'), 'utf8')).toBe('x\n');
      }
    });

    it('--timeout kills slow jobs; they count as failed; joblog has -1 and signal 15', async () => {
      const cwd = tempDir();
      const r = await run(
        // A margin wide enough for a loaded machine: the quick job ends far inside the timeout.
        ['-k', '--joblog', 'jl', '--timeout', '2', 'sleep {}; echo done {}', ':::', '0.1', '30'],
        {
          cwd,
        },
      );
      expect(r.stdout).toBe('done 0.1\n');
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(10_000);
      const log = readFileSync(join(cwd, 'jl'), 'utf8');
      expect(joblogCol(log, 7).sort()).toEqual(['-1', '0']);
      expect(joblogCol(log, 8).sort()).toEqual(['0', '15']);
    });

    it('--timeout kills the whole process group, grandchildren included', async () => {
      const cwd = tempDir();
      const r = await run(
        [
          '--timeout',
          '1',
          "sh -c 'sleep 30 & echo $! > gc.pid; echo $$ > child.pid; sleep 30; wait' {}",
          ':::',
          '',
        ],
        { cwd },
      );
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: '',
      });
      expect(r.ms).toBeGreaterThanOrEqual(900);
      expect(r.ms).toBeLessThan(10_000);
      const gc = Number(readFileSync(join(cwd, 'gc.pid'), 'utf8'));
      const child = Number(readFileSync(join(cwd, 'child.pid'), 'utf8'));
      expect(gc).toBeGreaterThan(0);
      expect(await dies(child)).toBe(true);
      expect(await dies(gc)).toBe(true);
    });

    it('--timeout with units (500ms)', async () => {
      const r = await run(['--timeout', '500ms', 'sleep', ':::', '5']);
      expect(r.code).toBe(1);
      expect(r.ms).toBeLessThan(4000);
    });

    it('--timeout leaves fast jobs alone', async () => {
      const r = await run(['-k', '--timeout', '5', 'echo', ':::', 'a', 'b']);
      expect(r).toMatchObject({ stdout: 'a\nb\n', code: 0 });
    });

    it('--delay spaces job starts (joblog start times)', async () => {
      const cwd = tempDir();
      const r = await run(['-j3', '--joblog', 'jl', '--delay', '0.6', 'true', ':::', 'x', 'y', 'z'], { cwd });
      expect(r.code).toBe(0);
      const starts = joblogCol(readFileSync(join(cwd, 'jl'), 'utf8'), 3)
        .map((t) => Number(t) * 1000)
        .sort((a, b) => a - b);
      expect(starts).toHaveLength(3);
      // Exactly 600 ms apart when weft starts them; allow for process start-up jitter.
      expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(400);
      expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(400);
      expect(starts[2] - starts[0]).toBeGreaterThanOrEqual(1100);
      expect(r.ms).toBeGreaterThanOrEqual(1200);
    });
  });
});

// Joblog handling does not depend on how jobs start: default dispatch only.
describe('joblog (default dispatch)', () => {
  const run = (args: string[], opts: Parameters<typeof weft>[1] = {}) => weft(args, opts);

  describe.concurrent('--joblog and --resume', () => {
    it('--joblog writes the GNU header and one 9-column row per job', async () => {
      const cwd = tempDir();
      const r = await run(['-k', '--joblog', 'jl', 'exit {}', ':::', '0', '1', 'a b'], { cwd });
      expect(r.code).toBe(2);
      const log = readFileSync(join(cwd, 'jl'), 'utf8');
      const rows = lines(log);
      expect(rows[0]).toBe('Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand');
      expect(rows).toHaveLength(4);
      const bySeq = rows.slice(1).sort();
      for (const row of bySeq) {
        const c = row.split('\t');
        expect(c).toHaveLength(9);
        expect(c[1]).toBe(':');
        expect(c[2]).toMatch(/^\d{10}\.\d{3}$/);
        expect(c[3]).toMatch(/^ *\d+\.\d{3}$/);
        expect(c[3]).toHaveLength(10);
        expect([c[4], c[7]]).toEqual(['0', '0']);
        expect(Math.abs(Number(c[2]) * 1000 - Date.now())).toBeLessThan(60_000);
      }
      expect(bySeq.map((row) => [row.split('\t')[0], row.split('\t')[6], row.split('\t')[8]])).toEqual([
        ['1', '0', 'exit 0'],
        ['2', '1', 'exit 1'],
        ['3', '2', "exit 'a b'"],
      ]);
    });

    it('--joblog Receive column is the number of stdout bytes (GNU parallel)', async () => {
      const cwd = tempDir();
      await run(['-k', '--joblog', 'jl', 'echo', ':::', 'hello', ''], { cwd });
      expect(joblogCol(readFileSync(join(cwd, 'jl'), 'utf8'), 6).sort()).toEqual(['1', '6']);
    });

    it('--joblog is overwritten by a new run without --resume', async () => {
      const cwd = tempDir();
      await run(['--joblog', 'jl', 'true', ':::', 'a', 'b'], { cwd });
      await run(['--joblog', 'jl', 'true', ':::', 'c'], { cwd });
      expect(lines(readFileSync(join(cwd, 'jl'), 'utf8'))).toHaveLength(2);
    });

    it('--resume skips every job in the joblog (done or failed) and appends', async () => {
      const cwd = tempDir();
      const first = await run(['-k', '--joblog', 'jl', 'echo {}; exit {}', ':::', '0', '1', '0', '2'], {
        cwd,
      });
      expect(first).toMatchObject({ stdout: '0\n1\n0\n2\n', code: 2 });
      const again = await run(
        ['-k', '--joblog', 'jl', '--resume', 'echo R{}; exit {}', ':::', '0', '1', '0', '2', '0'],
        {
          cwd,
        },
      );
      expect(again).toMatchObject({ stdout: 'R0\n', code: 0 });
      const log = readFileSync(join(cwd, 'jl'), 'utf8');
      // Rows are in finishing order.
      expect(joblogCol(log, 1).slice(0, 4).sort()).toEqual(['1', '2', '3', '4']);
      expect(joblogCol(log, 1)[4]).toBe('5');
      expect(log.match(/^Seq\t/gm)).toHaveLength(1);
    });

    it('--resume-failed reruns failed jobs and new ones, skips succeeded ones', async () => {
      const cwd = tempDir();
      await run(['-k', '--joblog', 'jl', 'echo {}; exit {}', ':::', '0', '1', '0', '2'], { cwd });
      const r = await run(
        ['-k', '--joblog', 'jl', '--resume-failed', 'echo F{}; exit 0', ':::', '0', '1', '0', '2', '3'],
        {
          cwd,
        },
      );
      expect(r).toMatchObject({ stdout: 'F1\nF2\nF3\n', code: 0 });
      const log = readFileSync(join(cwd, 'jl'), 'utf8');
      expect(joblogCol(log, 1).slice(0, 4).sort()).toEqual(['1', '2', '3', '4']);
      expect(joblogCol(log, 1).slice(4).sort()).toEqual(['2', '4', '5']);
      // Nothing left to do.
      const third = await run(
        ['-k', '--joblog', 'jl', '--resume-failed', 'echo G{}', ':::', '0', '1', '0', '2', '3'],
        {
          cwd,
        },
      );
      expect(third).toMatchObject({ stdout: '', code: 0 });
    });

    it('--resume with a joblog that does not exist yet runs everything', async () => {
      const cwd = tempDir();
      const r = await run(['-k', '--joblog', 'new.log', '--resume', 'echo', ':::', 'a', 'b'], { cwd });
      expect(r).toMatchObject({ stdout: 'a\nb\n', code: 0 });
      expect(existsSync(join(cwd, 'new.log'))).toBe(true);
    });

    it('--resume with -k keeps the order of the jobs that run', async () => {
      const cwd = tempDir();
      writeFileSync(
        join(cwd, 'jl'),
        'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n' +
          '2\t:\t1700000000.000\t     0.001\t0\t0\t0\t0\techo b\n',
      );
      const r = await run(
        ['-k', '-j3', '--joblog', 'jl', '--resume', 'sleep 0.$((4-{#})); echo {}', ':::', 'a', 'b', 'c'],
        {
          cwd,
        },
      );
      expect(r.stdout).toBe('a\nc\n');
    });
  });
});
