import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WeftEvent } from '../../src/events/types.js';
import { tempDir, weft } from './helpers.js';

const events = (cwd: string): WeftEvent[] =>
  readFileSync(join(cwd, 'ev'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as WeftEvent);

const joblog = (cwd: string) =>
  readFileSync(join(cwd, 'log'), 'utf8')
    .trim()
    .split('\n')
    .map((r) => r.split('\t'));

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('--retries with --retry-delay and --retry-on (%s)', (_name, env: Record<string, string>) => {
  it('--retry-delay waits between attempts; job_retry says how long', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--retries', '3', '--retry-delay', '300ms', '--events', 'ev', 'exit 1 #', ':::', 'a'],
      {
        cwd,
        env,
      },
    );
    expect(r.code).toBe(1);
    const ev = events(cwd);
    expect(ev.filter((e) => e.type === 'job_retry').map((e) => (e as { delayMs: number }).delayMs)).toEqual([
      300, 300,
    ]);
    const starts = ev.filter((e) => e.type === 'job_started').map((e) => e.t);
    expect(starts).toHaveLength(3);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(290);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(290);
  });

  it('a MIN..MAX range backs off exponentially with jitter: each wait within its step', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--retries', '4', '--retry-delay', '100ms..250ms', '--events', 'ev', 'exit 1 #', ':::', 'a'],
      { cwd, env },
    );
    expect(r.code).toBe(1);
    const delays = events(cwd)
      .filter((e) => e.type === 'job_retry')
      .map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toHaveLength(3);
    [100, 200, 250].forEach((step, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(0);
      expect(delays[i]).toBeLessThanOrEqual(step);
    });
  });

  it('--retry-on retries only the named exit codes and signals', async () => {
    const cwd = tempDir();
    const r = await weft(
      [
        '-j1',
        '--retries',
        '3',
        '--retry-on',
        '75,KILL',
        '--joblog',
        'log',
        '--joblog-attempts',
        'echo x >> tries{#}; eval {}',
        ':::',
        'exit 2',
        'exit 75',
        'kill -9 $$',
      ],
      { cwd, env },
    );
    expect(r.code).toBe(3);
    const tries = (n: number) => readFileSync(join(cwd, `tries${n}`), 'utf8').split('\n').length - 1;
    expect([tries(1), tries(2), tries(3)]).toEqual([1, 3, 3]);
    const rows = joblog(cwd);
    expect(rows[0].at(-1)).toBe('Attempt');
    expect(rows.slice(1).map((c) => `${c[0]}:${c[9]}`)).toEqual([
      '1:1',
      '2:1+',
      '2:2+',
      '2:3',
      '3:1+',
      '3:2+',
      '3:3',
    ]);
    // A killed job: Exitval 0 and Signal 9 on both paths.
    expect(rows.at(-1)!.slice(6, 8)).toEqual(['0', '9']);
  });

  it('--retry-on timeout retries a job that timed out, not one that failed', async () => {
    const cwd = tempDir();
    const r = await weft(
      [
        '-j2',
        '--retries',
        '2',
        '--retry-on',
        'timeout',
        '--timeout',
        '0.5',
        'echo x >> tries{#}; eval {}',
        ':::',
        'sleep 5',
        'exit 1',
      ],
      { cwd, env },
    );
    expect(r.code).toBe(2);
    expect(readFileSync(join(cwd, 'tries1'), 'utf8')).toBe('x\nx\n');
    expect(readFileSync(join(cwd, 'tries2'), 'utf8')).toBe('x\n');
  });
});

describe('--joblog-attempts with --resume, --resume-failed and --status', () => {
  it('an attempt joblog resumes right: only a job without a final row runs again', async () => {
    const cwd = tempDir();
    const first = await weft(
      ['--retries', '2', '--joblog', 'log', '--joblog-attempts', 'exit {}', ':::', '0', '1', '0'],
      { cwd },
    );
    expect(first.code).toBe(1);
    expect(joblog(cwd)).toHaveLength(1 + 4);
    const status = await weft(['--status', 'log'], { cwd });
    expect(status.stdout).toContain('done: 3\nfailed: 1\n');
    // Without the final row of job 2 (as if weft died between its attempts), --resume reruns it.
    const text = readFileSync(join(cwd, 'log'), 'utf8').split('\n');
    const cut = text.filter((l) => !/^2\t.*\t2$/.test(l)).join('\n');
    await import('node:fs').then((fs) => fs.writeFileSync(join(cwd, 'log'), cut));
    const again = await weft(
      ['--resume', '--retries', '2', '--joblog', 'log', 'echo ran {#}; exit {}', ':::', '0', '1', '0'],
      { cwd },
    );
    expect(again.stdout).toBe('ran 2\n');
    expect(again.code).toBe(1);
    const rows = joblog(cwd);
    expect(rows[0].at(-1)).toBe('Attempt');
    expect(rows.at(-1)!.slice(0, 1).concat(rows.at(-1)!.slice(9))).toEqual(['2', '2']);
    const failed = await weft(
      ['--resume-failed', '--joblog', 'log', 'echo ran {#} # {}', ':::', '0', '1', '0'],
      { cwd },
    );
    expect(failed.stdout).toBe('ran 2\n');
    expect(failed.code).toBe(0);
  });

  it('--joblog-attempts needs --joblog; --retry-on/--retry-delay need --retries', async () => {
    for (const [args, msg] of [
      [['--joblog-attempts'], '--joblog-attempts needs --joblog FILE'],
      [['--retry-on', '75'], '--retry-on needs --retries N'],
      [['--retries', '1', '--retry-delay', '1s'], '--retry-delay needs --retries N'],
      [['--retries', '2', '--retry-on', '300'], "--retry-on: exit code '300' must be from 1 to 255"],
      [['--retries', '2', '--retry-delay', '5s..1s'], "--retry-delay: '5s..1s' needs 0 < MIN <= MAX"],
    ] as const) {
      const r = await weft([...args, 'echo', ':::', 'a']);
      expect(r.code, msg).toBe(255);
      expect(r.stderr).toContain(`weft: ${msg}`);
    }
  });
});
