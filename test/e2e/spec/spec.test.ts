import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, ROOT, tempDir, weft } from '../helpers.js';

const spec = (name: string) => join('fixtures', 'specs', name);

describe('the fixtures run offline (from the repository root)', () => {
  it('shell pipeline: sums 1..10 in chunks of 4', async () => {
    const r = await weft(['--spec', spec('shell-pipeline.yaml')], { cwd: ROOT });
    expect(r).toMatchObject({ code: 0, stdout: '55\n', stderr: '' });
  });

  it('shell pipeline: flags override the spec (chunks of 3, another file)', async () => {
    const dir = tempDir({ 'n.txt': '5\n6\n7\n' });
    const r = await weft(
      ['--spec', spec('shell-pipeline.yaml'), '--records', '1', '-a', join(dir, 'n.txt')],
      {
        cwd: ROOT,
      },
    );
    expect(r).toMatchObject({ code: 0, stdout: '18\n' });
  });

  it('cron job: counts lines per file, tagged, in order, with a joblog', async () => {
    const joblog = join(tempDir(), 'nightly.joblog');
    const r = await weft(['--spec', spec('cron-job.yaml'), '--joblog', joblog], { cwd: ROOT });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(lines(r.stdout)).toEqual(['fixtures/words.txt\t3', 'fixtures/nums.txt\t10']);
    expect(lines(readFileSync(joblog, 'utf8'))).toHaveLength(3);
    // resume: retry-failed — everything succeeded, so a second run has nothing to do.
    const again = await weft(['--spec', spec('cron-job.yaml'), '--joblog', joblog], { cwd: ROOT });
    expect(again).toMatchObject({ code: 0, stdout: '' });
  });

  it('log analysis: requests per status, by MapReduce', async () => {
    const r = await weft(['--spec', spec('log-analysis.yaml')], { cwd: ROOT });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(lines(r.stdout)).toEqual(['200 11', '301 6', '304 4', '500 3']);
  });

  it('CI: every check passes; the report lands where the flag says', async () => {
    const report = join(tempDir(), 'report.json');
    const r = await weft(['--spec', spec('ci.yaml'), '--report', report], { cwd: ROOT });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(lines(r.stdout)).toEqual([
      'fixtures/words.txt\tnon-empty',
      'fixtures/nums.txt\tnon-empty',
      'fixtures/logs/access.log\tnon-empty',
    ]);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toBeTypeOf('object');
  });

  it('CI: a failing check stops the run with its status (halt now,fail=1)', async () => {
    const dir = tempDir({ 'empty.txt': '' });
    const r = await weft(
      ['--spec', spec('ci.yaml'), '--report', join(dir, 'r.json'), ':::', join(dir, 'empty.txt')],
      {
        cwd: ROOT,
      },
    );
    expect(r.code).toBe(1);
  });

  it.each(['shell-pipeline.yaml', 'cron-job.yaml', 'log-analysis.yaml', 'ci.yaml'])(
    '%s validates',
    async (name) => {
      expect(await weft(['--validate', spec(name)], { cwd: ROOT })).toMatchObject({
        code: 0,
        stdout: `${spec(name)}: ok\n`,
        stderr: '',
      });
    },
  );
});

describe('problems, through the real executable', () => {
  it('prints each at its file:line:col and exits 255 without running anything', async () => {
    const dir = tempDir({
      'job.yaml': 'input:\n  values: [a]\ncommand: touch ran\nchunk:\n  records: -5\nretry:\n  atempts: 2\n',
    });
    const r = await weft(['--spec', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      'weft: job.yaml:5:12: chunk.records must be a positive integer, got -5',
      'weft: job.yaml:7:3: unknown field retry.atempts; did you mean retry.attempts?',
    ]);
  });

  it('YAML syntax errors have line:col too', async () => {
    const dir = tempDir({ 'job.yaml': 'command: echo\ninput:\n  values: [a, b\n' });
    const r = await weft(['--validate', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: job\.yaml:\d+:\d+: YAML syntax: /);
  });
});

describe('--print-spec', () => {
  it('prints what a run would do; the printed spec runs the same', async () => {
    const dir = tempDir();
    const r = await weft(
      ['--print-spec', '--spec', join(ROOT, spec('shell-pipeline.yaml')), '--records', '3'],
      {
        cwd: dir,
      },
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('chunk:\n  records: 3\n');
    writeFileSync(join(dir, 'printed.yaml'), r.stdout);
    const run = await weft(['--spec', join(dir, 'printed.yaml')], { cwd: ROOT });
    expect(run).toMatchObject({ code: 0, stdout: '55\n' });
  });
});
