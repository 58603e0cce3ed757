import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, tempDir, weft } from './helpers.js';

// A job that kills weft (SIGKILL, as a crash or `kill -9` would) the first time it runs, while
// the file `armed` exists; the command line stays the same for the resumed run.
const crashAt = (seq: number, then: string) =>
  `if [ {#} = ${seq} ] && rm armed 2>/dev/null; then kill -9 $PARALLEL_PID; sleep 5; fi; ${then}`;

/** Which jobs a run took from the journal and which it ran, from its --events file. */
function eventSeqs(cwd: string, file = 'ev.ndjson'): { skipped: number[]; ran: number[] } {
  const events = lines(readFileSync(join(cwd, file), 'utf8')).map(
    (l) => JSON.parse(l) as { type: string; seq: number; final?: boolean },
  );
  const seqs = (f: (e: { type: string; final?: boolean }) => boolean) =>
    events
      .filter(f)
      .map((e) => e.seq)
      .sort((a, b) => a - b);
  return {
    skipped: seqs((e) => e.type === 'job_skipped'),
    ran: seqs((e) => e.type === 'job_finished' && e.final === true),
  };
}

describe.concurrent('--journal FILE and --resume', () => {
  it('after weft is killed, --resume prints the whole -k output and runs only unfinished jobs', async () => {
    const cwd = tempDir({ armed: '' });
    const args = (...more: string[]) => ['-k', '-j1', '--journal', 'j.wj', ...more, crashAt(4, 'echo out{}')];
    const inputs = [':::', ...'abcdef'];
    const killed = await weft([...args(), ...inputs], { cwd });
    expect(killed.code).toBeNull(); // SIGKILL
    expect(killed.stdout).toBe('outa\noutb\noutc\n');
    const resumed = await weft([...args('--resume', '--events', 'ev.ndjson'), ...inputs], { cwd });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toBe('outa\noutb\noutc\noutd\noute\noutf\n');
    expect(eventSeqs(cwd)).toEqual({ skipped: [1, 2, 3], ran: [4, 5, 6] });
    // Resuming a finished run runs nothing and prints the same output again.
    const again = await weft([...args('--resume', '--events', 'ev2.ndjson'), ...inputs], { cwd });
    expect(again.stdout).toBe(resumed.stdout);
    expect(eventSeqs(cwd, 'ev2.ndjson')).toEqual({ skipped: [1, 2, 3, 4, 5, 6], ran: [] });
  });

  it('a torn record at the end of the journal is ignored: that job runs again', async () => {
    const cwd = tempDir({ armed: '' });
    const cmd = ['-k', '-j1', '--journal', 'j.wj', crashAt(3, 'echo out{}'), ':::', 'a', 'b', 'c', 'd'];
    await weft(cmd, { cwd });
    // What a kill in the middle of a write leaves: the start of a record.
    appendFileSync(join(cwd, 'j.wj'), '0123456789abcdef {"seq":3,"off":null,"ha');
    const r = await weft(['--resume', '--events', 'ev.ndjson', ...cmd], { cwd });
    expect(r.stdout).toBe('outa\noutb\noutc\noutd\n');
    expect(eventSeqs(cwd)).toEqual({ skipped: [1, 2], ran: [3, 4] });
  });

  it('--pipe --aggregate sum: the resumed sum includes the chunks summed before the kill', async () => {
    const nums = Array.from({ length: 1000 }, (_, i) => `${(i * 7919) % 1000}\n`).join('');
    const cwd = tempDir({ armed: '', 'nums.txt': nums });
    const expected = nums
      .trim()
      .split('\n')
      .reduce((s, v) => s + Number(v), 0);
    const args = ['--pipe', '-N', '100', '-j1', '--journal', 'j.wj', '--aggregate', 'sum'];
    const cmd = crashAt(6, "awk '{s+=$1} END {print s}'");
    const killed = await weft([...args, cmd], { cwd, stdin: nums });
    expect(killed.code).toBeNull();
    expect(killed.stdout).toBe('');
    const r = await weft([...args, '--resume', '--events', 'ev.ndjson', cmd], { cwd, stdin: nums });
    expect(r.stdout).toBe(`${expected}\n`);
    expect(eventSeqs(cwd)).toEqual({ skipped: [1, 2, 3, 4, 5], ran: [6, 7, 8, 9, 10] });
    // The journal holds the chunks' outputs, not the sum: another fold can reuse them.
    const count = await weft(
      ['--pipe', '-N', '100', '-j1', '--journal', 'j.wj', '--resume', '--aggregate', 'count', cmd],
      {
        cwd,
        stdin: nums,
      },
    );
    expect(count.stdout).toBe('10\n');
  });

  it('a chunk whose input changed runs again (with a warning); the others are replayed', async () => {
    const input = (x: string) => `1\n2\n${x}\n4\n5\n6\n`;
    const cwd = tempDir();
    const args = ['--pipe', '-N', '2', '-k', '--journal', 'j.wj', "awk '{s+=$1} END {print s}'"];
    const first = await weft(args, { cwd, stdin: input('3') });
    expect(first.stdout).toBe('3\n7\n11\n');
    // Same length: the chunks after it keep their offsets (a longer chunk would move them all).
    const r = await weft(['--resume', '--events', 'ev.ndjson', ...args], { cwd, stdin: input('9') });
    expect(r.stdout).toBe('3\n13\n11\n');
    expect(r.stderr).toBe(
      'weft: j.wj: the input of job 2 differs from the journal; jobs whose input changed run again\n',
    );
    expect(eventSeqs(cwd)).toEqual({ skipped: [1, 3], ran: [2] });
  });

  it('failed jobs are replayed with their output and count in the exit status; --resume-failed reruns them', async () => {
    const cwd = tempDir({ armed: '' });
    const cmd = (fix: string) => [
      '-k',
      '-j1',
      '--journal',
      'j.wj',
      crashAt(4, `echo out{}; [ {} != 2 ] || [ -e ${fix} ]`),
      ':::',
      '1',
      '2',
      '3',
      '4',
    ];
    expect((await weft(cmd('fixed'), { cwd })).code).toBeNull();
    const r = await weft(['--resume', ...cmd('fixed')], { cwd });
    expect(r.stdout).toBe('out1\nout2\nout3\nout4\n');
    expect(r.code).toBe(1); // job 2 failed in the killed run
    writeFileSync(join(cwd, 'fixed'), '');
    const f = await weft(['--resume-failed', '--events', 'ev.ndjson', ...cmd('fixed')], { cwd });
    expect(f.code).toBe(0);
    expect(f.stdout).toBe('out1\nout2\nout3\nout4\n');
    expect(eventSeqs(cwd).ran).toEqual([2]);
  });

  it('replayed output is tagged and ordered like the output of jobs that run', async () => {
    const cwd = tempDir({ armed: '' });
    const cmd = [
      '-k',
      '-j2',
      '--tag',
      '--journal',
      'j.wj',
      crashAt(3, 'printf "%s\\n" x y'),
      ':::',
      'p',
      'q',
      'r',
    ];
    await weft(cmd, { cwd });
    const r = await weft(['--resume', ...cmd], { cwd });
    expect(r.stdout).toBe('p\tx\np\ty\nq\tx\nq\ty\nr\tx\nr\ty\n');
  });

  it('refuses to resume a journal of another command, or to overwrite a file that is not a journal', async () => {
    const cwd = tempDir({ 'data.csv': 'a,b\n1,2\n' });
    await weft(['--journal', 'j.wj', 'echo', ':::', 'a'], { cwd });
    const other = await weft(['--journal', 'j.wj', '--resume', 'printf', ':::', 'a'], { cwd });
    expect(other.code).toBe(255);
    expect(other.stderr).toBe(
      'weft: j.wj: the journal was written for another job (command or options differ); run without --resume to start over\n',
    );
    const foreign = await weft(['--journal', 'data.csv', 'echo', ':::', 'a'], { cwd });
    expect(foreign.code).toBe(255);
    expect(foreign.stderr).toBe('weft: data.csv: not a weft journal; refusing to overwrite it\n');
    expect(readFileSync(join(cwd, 'data.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('--resume needs --joblog or --journal; --joblog --resume alone keeps GNU semantics', async () => {
    const bad = await weft(['--resume', 'echo', ':::', 'a']);
    expect(bad.stderr).toBe('weft: --resume needs --joblog FILE or --journal FILE\n');
    const cwd = tempDir();
    await weft(['-k', '--joblog', 'jl', 'echo', ':::', 'a', 'b'], { cwd });
    const r = await weft(['-k', '--joblog', 'jl', '--resume', 'echo', ':::', 'a', 'b', 'c'], { cwd });
    expect(r.stdout).toBe('c\n'); // GNU: jobs done earlier printed their output then
  });

  it('with --joblog too, the journal decides what is done and the joblog is appended to', async () => {
    const cwd = tempDir({ armed: '' });
    const cmd = [
      '-k',
      '-j1',
      '--joblog',
      'jl',
      '--journal',
      'j.wj',
      crashAt(3, 'echo {}'),
      ':::',
      'a',
      'b',
      'c',
      'd',
    ];
    await weft(cmd, { cwd });
    const r = await weft(['--resume', ...cmd], { cwd });
    expect(r.stdout).toBe('a\nb\nc\nd\n');
    const rows = lines(readFileSync(join(cwd, 'jl'), 'utf8')).slice(1);
    expect(rows.map((row) => row.split('\t')[0])).toEqual(['1', '2', '3', '4']);
    // A joblog that lists every job does not make a new journal skip anything.
    const fresh = await weft(['--resume', ...cmd.map((a) => (a === 'j.wj' ? 'new.wj' : a))], { cwd });
    expect(fresh.stdout).toBe('a\nb\nc\nd\n');
    expect(lines(readFileSync(join(cwd, 'jl'), 'utf8'))).toHaveLength(9);
  });

  it('logs.journal in a YAML spec', async () => {
    const cwd = tempDir({
      armed: '',
      'job.yaml': [
        'command: ' + JSON.stringify(crashAt(2, 'echo {}')),
        'input:',
        '  values: [a, b, c]',
        'output:',
        '  order: keep',
        'concurrency:',
        '  jobs: 1',
        'logs:',
        '  journal: j.wj',
        '',
      ].join('\n'),
    });
    expect((await weft(['--spec', 'job.yaml'], { cwd })).stdout).toBe('a\n');
    const r = await weft(['--spec', 'job.yaml', '--resume'], { cwd });
    expect(r.stdout).toBe('a\nb\nc\n');
  });
});
