import { describe, expect, it } from 'vitest';
import { toSpec } from '../../../src/cli/to-spec.js';
import { formatSize } from '../../../src/chunk/units.js';
import { parseArgv, problemLines, resolveText, runMain } from './helpers.js';

const specOf = (argv: string[]) => {
  const { opts, words } = parseArgv(argv);
  return toSpec(opts, words);
};

const usage = (argv: string[]) => {
  try {
    specOf(argv);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('scheduling flags', () => {
  it('map onto the spec', () => {
    const s = specOf([
      ...['--rate', '120/m', '--burst', '3', '--key', '{1}', '--max-per-key', '2', '--memfree', '1G'],
      ...['--cache', 'dir', '--cache-ttl', '1h', '--cache-env', 'A, B', '--dedupe-window', '5m'],
      ...['echo', ':::', 'a'],
    ]);
    expect(s).toMatchObject({
      rate: { perSecond: 2, burst: 3 },
      perKey: { max: 2, template: '{1}' },
      memfree: 1024 ** 3,
      cache: { dir: 'dir', ttlSeconds: 3600, env: ['A', 'B'] },
      dedupe: { windowSeconds: 300 },
    });
    expect(s.pipe).toBeUndefined();
    expect(specOf(['--dedupe', 'echo']).dedupe).toEqual({ windowSeconds: undefined });
    expect(specOf(['--rate', '5', 'echo']).rate).toEqual({ perSecond: 5, burst: 1 });
  });

  it('--key without a replacement string is still a field of --format records', () => {
    const s = specOf(['--key', 'host', '--max-per-key', '1', 'cat']);
    expect(s.pipe?.formats?.key).toBe('host');
    expect(s.perKey).toEqual({ max: 1, template: undefined });
  });

  it('are refused when combined wrongly', () => {
    expect(usage(['--max-per-key', '2', 'echo'])).toMatch(/^--max-per-key needs --key/);
    expect(usage(['--key', '{1}', 'echo'])).toBe("--key '{1}' is a job key template: give --max-per-key N");
    expect(usage(['--key', '{1}', '--max-per-key', '2', '--format', 'csv', 'cat'])).toMatch(
      /^--key '\{1\}' is a job key template \(for argument jobs\); with --format/,
    );
    expect(usage(['--key', '{1}', '--max-per-key', '2', '--pipe', 'cat'])).toMatch(
      /in pipe mode --key names a field/,
    );
    expect(usage(['--burst', '2', 'echo'])).toBe('--burst needs --rate N/s');
    expect(usage(['--cache-ttl', '1h', 'echo'])).toBe('--cache-ttl needs --cache DIR');
    expect(usage(['--cache', 'd', '--cache-env', 'A-B', 'echo'])).toBe(
      "--cache-env: 'A-B' is not an environment variable name",
    );
    expect(usage(['--rate', '0/s', 'echo'])).toMatch(/^--rate: '0\/s' is not a rate above 0/);
    expect(usage(['--memfree', 'lots', 'echo'])).toMatch(/^--memfree: 'lots' is not a size/);
  });
});

describe('scheduling fields in a YAML spec', () => {
  it('run as the flags do', async () => {
    const yaml = [
      'command: echo',
      'concurrency:',
      '  rate: 10/s',
      '  burst: 2',
      '  key: "{1}"',
      '  per-key: 3',
      '  memfree: 512M',
      'dedupe: 10m',
      'cache:',
      '  dir: .cache',
      '  ttl: 2h',
      '  env: [API_VERSION]',
      '',
    ].join('\n');
    const r = await resolveText(yaml);
    expect(r.spec).toMatchObject({
      rate: { perSecond: 10, burst: 2 },
      perKey: { max: 3, template: '{1}' },
      memfree: 512 * 1024 ** 2,
      dedupe: { windowSeconds: 600 },
      cache: { dir: '.cache', ttlSeconds: 7200, env: ['API_VERSION'] },
    });
    expect((await resolveText('command: echo\ndedupe: true\n')).spec.dedupe).toEqual({
      windowSeconds: undefined,
    });
    expect((await resolveText('command: echo\ndedupe: false\n')).spec.dedupe).toBeUndefined();
  });

  it('print back from flags into the fields they stand for', async () => {
    const r = await resolveText(undefined, [
      ...[
        '--key',
        '{1}',
        '--max-per-key',
        '2',
        '--rate',
        '3/s',
        '--dedupe',
        '--cache',
        'c',
        '--cache-env',
        'A,B',
      ],
      'echo',
    ]);
    expect(r.doc).toMatchObject({
      concurrency: { rate: '3/s', key: '{1}', 'per-key': 2 },
      dedupe: true,
      cache: { dir: 'c', env: ['A', 'B'] },
    });
    expect((await resolveText(undefined, ['--key', 'host', 'cat'])).doc).toMatchObject({
      chunk: { key: 'host' },
    });
  });

  it('refuse both keys, a key that is no template, and bad values', async () => {
    expect(
      await problemLines('command: cat\nchunk:\n  key: host\nconcurrency:\n  key: "{1}"\n  per-key: 1\n'),
    ).toEqual([
      'job.yaml:5:8: chunk.key and concurrency.key are both --key: give one (a record field, or a job key template)',
    ]);
    expect(await problemLines('command: echo\nconcurrency:\n  key: host\n  per-key: 1\n')).toEqual([
      "job.yaml:3:8: concurrency.key must be a template with a replacement string (e.g. {1} or {host}), got 'host'",
    ]);
    expect(await problemLines('command: echo\nconcurrency:\n  rate: 0/s\n')).toEqual([
      "job.yaml:3:9: concurrency.rate must be a rate (e.g. 10/s, 100/m), got '0/s'",
    ]);
    expect(await problemLines('command: echo\ncache:\n  env: [1BAD]\n')).toEqual([
      "job.yaml:3:9: cache.env[0] must be an environment variable name, got '1BAD'",
    ]);
  });

  it('--validate accepts them without warnings', async () => {
    const r = await resolveText('command: echo\nconcurrency:\n  rate: 5/s\n', [], true);
    expect(r.warnings).toEqual([]);
    expect((await runMain(['--print-spec', '--rate', '5/s', '--memfree', '1G', 'echo'])).stdout).toContain(
      'concurrency:\n  rate: 5/s\n  memfree: 1G\n',
    );
  });
});

describe('formatSize', () => {
  it('prints sizes in powers of 1024', () => {
    expect([0, 800, 2048, 1536 * 1024, 1024 ** 3, 1.25 * 1024 ** 4].map(formatSize)).toEqual([
      '0',
      '800',
      '2K',
      '1.5M',
      '1G',
      '1.3T',
    ]);
  });
});
