import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, tempDir, weft } from './helpers.js';

interface Ev {
  type: string;
  seq?: number;
  slot?: number;
}

/** The events of a run's --events file. */
const eventsOf = (dir: string): Ev[] =>
  lines(readFileSync(join(dir, 'ev.ndjson'), 'utf8')).map((l) => JSON.parse(l) as Ev);

/** Input sequence numbers in the order their jobs started. */
const starts = (dir: string) => eventsOf(dir).flatMap((e) => (e.type === 'job_started' ? [e.seq] : []));

describe.concurrent('--order lpt and --priority', () => {
  it('starts the costliest job first; {#} and the joblog keep input numbers', async () => {
    const dir = tempDir();
    const r = await weft(
      ['-j1', '--order', 'lpt', '--cost', '{}', '--events', 'ev.ndjson', '--joblog', 'log', 'echo {#}:{}'],
      { cwd: dir, stdin: '1\n5\n3\n0\n4\n' },
    );
    expect(r.code).toBe(0);
    expect(starts(dir)).toEqual([2, 5, 3, 1, 4]);
    expect(r.stdout).toBe('2:5\n5:4\n3:3\n1:1\n4:0\n');
    const seqs = lines(readFileSync(join(dir, 'log'), 'utf8'))
      .slice(1)
      .map((l) => l.split('\t')[0]);
    expect(seqs).toEqual(['2', '5', '3', '1', '4']);
  });

  it('with -k prints in input order although jobs start longest first', async () => {
    const dir = tempDir();
    const r = await weft(
      ['-k', '-j2', '--order', 'lpt', '--cost', '{}', '--events', 'ev.ndjson', 'sleep {}; echo {#} {}'],
      { cwd: dir, stdin: '0.05\n0.4\n0.1\n0.3\n0.2\n' },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1 0.05\n2 0.4\n3 0.1\n4 0.3\n5 0.2\n');
    expect(starts(dir).slice(0, 2).sort()).toEqual([2, 4]);
    expect(starts(dir)).toHaveLength(5);
  });

  it('costs files by size by default', async () => {
    const dir = tempDir({ small: 'x', big: 'x'.repeat(5000), mid: 'x'.repeat(300) });
    const r = await weft(['-j1', '--order', 'lpt', 'wc', '-c', ':::', 'small', 'big', 'mid'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['5000 big', '300 mid', '1 small']);
  });

  it('--priority reads a named column; ties keep input order', async () => {
    const csv = 'name,pri\na,1\nb,3\nc,2\nd,3\ne,1\n';
    const r = await weft(['-j1', '--header', ':', '--colsep', ',', '--priority', '{pri}', 'echo', '{name}'], {
      stdin: csv,
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual(['b', 'd', 'c', 'a', 'e']);
  });

  it('--dry-run prints commands in start order', async () => {
    const r = await weft([
      '--dry-run',
      '--priority',
      '{2}',
      '--colsep',
      ' ',
      'run {1}',
      ':::',
      'a 1',
      'b 3',
      'c 2',
    ]);
    expect(r.stdout).toBe('run b\nrun c\nrun a\n');
  });

  it('a spec file says the same with schedule.order and schedule.cost', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'job.yaml'),
      'command: echo\ninput:\n  values: [2, 9, 4]\nconcurrency:\n  jobs: 1\nschedule:\n  order: lpt\n  cost: "{}"\n',
    );
    const r = await weft(['--spec', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('9\n4\n2\n');
  });

  it('refuses a cost that is not a number before any job runs', async () => {
    const dir = tempDir();
    const r = await weft(['--order', 'lpt', '--cost', '{}', 'touch', 'ran-{}', ':::', '1', 'two', '3'], {
      cwd: dir,
    });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe("weft: --cost '{}' is 'two' for job 2 (two), not a number\n");
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses --cost without --order lpt, and --order with --pipe', async () => {
    const a = await weft(['--cost', '{}', 'echo', ':::', '1']);
    expect(a.code).toBe(255);
    expect(a.stderr).toContain('--cost applies with --order lpt');
    const b = await weft(['--pipe', '--order', 'lpt', 'wc', '-l'], { stdin: 'a\n' });
    expect(b.code).toBe(255);
    expect(b.stderr).toContain('need argument input');
  });
});
