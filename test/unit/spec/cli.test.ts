import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-spec-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('weft --validate', () => {
  it('says ok and exits 0 for a good spec', async () => {
    const path = file('good.yaml', 'input:\n  values: [a]\ncommand: echo {}\n');
    expect(await runMain(['--validate', path])).toEqual({ code: 0, stdout: `${path}: ok\n`, stderr: '' });
    expect(await runMain(['--spec', path, '--validate'])).toEqual({
      code: 0,
      stdout: `${path}: ok\n`,
      stderr: '',
    });
  });

  it('prints every problem, one `weft: file:line:col:` line each, and exits 255', async () => {
    const path = file('bad.yaml', 'chunk:\n  records: -5\n  blok: 1M\ncommand: echo\n');
    expect(await runMain(['--validate', path])).toEqual({
      code: 255,
      stdout: '',
      stderr:
        `weft: ${path}:2:12: chunk.records must be a positive integer, got -5\n` +
        `weft: ${path}:3:3: unknown field chunk.blok; did you mean chunk.block?\n`,
    });
  });

  it('checks the flags given with it too', async () => {
    const path = file('ok.yaml', 'command: echo\n');
    const r = await runMain(['--validate', path, '--records', 'x']);
    expect(r.stderr).toBe("weft: --records must be a positive integer, got 'x'\n");
    expect(r.code).toBe(255);
  });

  it('warns about fields a run would refuse, and still says ok', async () => {
    const path = file('later.yaml', 'command: echo\noutput:\n  file: out.txt\n');
    expect(await runMain(['--validate', path])).toEqual({
      code: 0,
      stdout: `${path}: ok\n`,
      stderr: `weft: ${path}:3:9: warning: output.file is not supported yet; a run stops here\n`,
    });
  });

  it('needs a file, and one spec only', async () => {
    expect(await runMain(['--validate'])).toMatchObject({
      code: 255,
      stderr: 'weft: --validate needs a spec: weft --validate job.yaml\n',
    });
    expect((await runMain(['--validate', 'a.yaml', '--spec', 'b.yaml'])).stderr).toBe(
      'weft: --validate a.yaml and --spec b.yaml name two specs; give one\n',
    );
    expect(await runMain(['--validate', join(dir, 'missing.yaml')])).toMatchObject({
      code: 255,
      stderr: `weft: ${join(dir, 'missing.yaml')}: no such file\n`,
    });
  });
});

describe('weft --print-spec', () => {
  it('prints the flags as a spec without running anything', async () => {
    expect(await runMain(['--print-spec', '-k', '--records', '3', 'wc', '-l', ':::', 'a'])).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '# weft job spec from the command line',
        '',
        'input:',
        '  values: [a]',
        'chunk:',
        '  records: 3',
        'command: [wc, -l]',
        'output:',
        '  order: keep',
        '',
      ].join('\n'),
    });
  });

  it('refuses a spec with problems', async () => {
    const path = file('p.yaml', 'timeout: soon\n');
    const r = await runMain(['--print-spec', '--spec', path]);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^weft: ${path}:1:10: timeout must be`));
  });
});

describe('weft --spec', () => {
  it('runs the job (dry run), flags over the spec', async () => {
    const path = file('run.yaml', 'input:\n  values: [a, b]\ncommand: echo {}\ndry-run: true\n');
    expect(await runMain(['--spec', path, '-k'])).toEqual({
      code: 0,
      stdout: 'echo a\necho b\n',
      stderr: '',
    });
    expect(await runMain(['--spec', path, '-k', 'printf', '%s-', ':::', 'x'])).toMatchObject({
      stdout: 'printf %s- x\n',
    });
  });
});
