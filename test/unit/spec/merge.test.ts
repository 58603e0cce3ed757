import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toSpec } from '../../../src/cli/to-spec.js';
import { printSpec } from '../../../src/spec/cli.js';
import { parseArgv, resolveText } from './helpers.js';

/** The JobSpec the flags alone make. */
const fromFlags = (argv: string[]) => {
  const { opts, words } = parseArgv(argv);
  return toSpec(opts, words);
};

describe('flags over a spec', () => {
  const yaml = [
    'input:',
    '  values: [a, b]',
    'command: echo {}',
    'concurrency:',
    '  jobs: 2',
    'output:',
    '  order: keep',
    '  tag: true',
    'timeout: 30s',
  ].join('\n');

  it('a flag overrides its field', async () => {
    const r = await resolveText(yaml, ['-j', '5', '--timeout', '1m']);
    expect(r.spec.jobs).toBe(5);
    expect(r.spec.timeout).toEqual({ seconds: 60 });
    expect(r.doc.concurrency).toEqual({ jobs: 5 });
  });

  it('the spec fills what the flags do not say', async () => {
    const r = await resolveText(yaml, ['--tagstring', 'T']);
    expect(r.spec.output).toMatchObject({ keepOrder: true, tag: true, tagString: 'T' });
    expect(r.spec.jobs).toBe(2);
    expect(r.spec.command).toEqual(['echo {}']);
    expect(r.spec.input.sources).toEqual([{ kind: 'values', values: ['a', 'b'], link: false }]);
  });

  it('command words replace the command, and keep the spec’s inputs', async () => {
    const r = await resolveText(yaml, ['printf', '%s\\n']);
    expect(r.spec.command).toEqual(['printf', '%s\\n']);
    expect(r.spec.input.sources).toEqual([{ kind: 'values', values: ['a', 'b'], link: false }]);
  });

  it('input sources on the command line replace all of the spec’s', async () => {
    const withPath = yaml.replace('  values: [a, b]', '  path: in.txt\n  values: [a, b]');
    const r1 = await resolveText(withPath, [':::', 'x', 'y']);
    expect(r1.spec.input.sources).toEqual([{ kind: 'values', values: ['x', 'y'], link: false }]);
    const r2 = await resolveText(withPath, ['-a', 'other.txt']);
    expect(r2.spec.input.sources).toEqual([{ kind: 'file', path: 'other.txt' }]);
    expect(r2.doc.input).toEqual({ path: 'other.txt' });
  });

  it('aliases and multi-flag fields lift from the flags', async () => {
    expect((await resolveText(yaml, ['--lb'])).spec.output.mode).toBe('line-buffer');
    expect((await resolveText(yaml, ['-u'])).doc.output).toMatchObject({ buffer: 'ungroup' });
    expect((await resolveText(yaml, ['-a', '-'])).doc.input).toEqual({ stdin: true });
    expect((await resolveText('command: cat\n', ['--spreadstdin'])).spec.pipe?.part).toBe(false);
    expect((await resolveText(yaml, ['--no-bar'])).opts.bar).toBe(false);
  });

  it('the observers see the merged options', async () => {
    const r = await resolveText('command: echo\nlogs:\n  events: ev.ndjson\n  bar: false\n', ['--eta']);
    expect(r.opts).toMatchObject({ events: 'ev.ndjson', bar: false, eta: true });
  });

  it('env becomes the jobs’ environment, values as strings', async () => {
    const r = await resolveText('command: env\nenv:\n  LC_ALL: C\n  N: 5\n  ON: true\n');
    expect(r.spec.env).toEqual({ LC_ALL: 'C', N: '5', ON: 'true' });
    expect(Object.isFrozen(r.spec)).toBe(true);
  });

  it('a list of lists is several sources; numbers are values too', async () => {
    const r = await resolveText('command: echo\ninput:\n  values: [[a, b], [1, 2]]\n  link: true\n');
    expect(r.spec.input.sources.map((s) => (s.kind === 'values' ? s.values : []))).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(r.spec.input.link).toBe(true);
  });

  it('--arg-sep on the command line is used for the spec’s values', async () => {
    const r = await resolveText('command: echo\ninput:\n  values: [a]\n', ['--arg-sep', ',,']);
    expect(r.spec.input.sources).toEqual([{ kind: 'values', values: ['a'], link: false }]);
  });
});

/** The same job as YAML and as flags. */
const SAME: [name: string, yaml: string, argv: string[]][] = [
  [
    'input and command are enough',
    'input:\n  path: urls.txt\ncommand: curl -sfO {}\n',
    ['-a', 'urls.txt', 'curl -sfO {}'],
  ],
  [
    'arguments',
    `
input:
  path: [a.txt, b.txt]
  delimiter: '\\t'
  colsep: ','
  trim: lr
  shuffle: true
  link: true
command: [echo, '{1}', '{2}']
args:
  replace: '{}'
  max-args: 2
  quote: true
  plus: true
concurrency: {jobs: 3, delay: 0.5}
retry: {attempts: 3}
timeout: 30s
halt: now,fail=1
dry-run: true
output: {order: keep, buffer: line, tag: true, tagstring: '{1}', results: out}
logs: {joblog: j.log, resume: retry-failed, report: r.json}
`,
    [
      '-a',
      'a.txt',
      '-a',
      'b.txt',
      '-d',
      '\\t',
      '--colsep',
      ',',
      '--trim',
      'lr',
      '--shuf',
      '--link',
      '-I',
      '{}',
      '-n',
      '2',
      '-q',
      '--plus',
      '-j',
      '3',
      '--delay',
      '0.5',
      '--retries',
      '3',
      '--timeout',
      '30s',
      '--halt',
      'now,fail=1',
      '--dry-run',
      '-k',
      '--line-buffer',
      '--tag',
      '--tagstring',
      '{1}',
      '--results',
      'out',
      '--joblog',
      'j.log',
      '--resume-failed',
      '--report',
      'r.json',
      'echo',
      '{1}',
      '{2}',
    ],
  ],
  [
    'format chunks and MapReduce',
    `
input: {path: x.csv, format: csv, header: true, on-bad-record: skip}
chunk: {records: 10, block: 2M, window: 5s, key: user, overlap: 1}
aggregate: {map: cut -f1, reduce: sort, partitions: 3}
`,
    [
      '-a',
      'x.csv',
      '--format',
      'csv',
      '--header',
      ':',
      '--on-bad-record',
      'skip',
      '--records',
      '10',
      '--block',
      '2M',
      '--window',
      '5s',
      '--key',
      'user',
      '--overlap',
      '1',
      '--map',
      'cut -f1',
      '--reduce',
      'sort',
      '--partitions',
      '3',
    ],
  ],
  [
    'pipe mode',
    `
pipe: {mode: pipe, recstart: '>', regexp: false}
chunk: {block: 10k}
args: {exact-args: 4}
input: {header: 2}
command: wc -l
aggregate: {fold: sum}
`,
    [
      '--pipe',
      '--recstart',
      '>',
      '--block',
      '10k',
      '-N',
      '4',
      '--header',
      '2',
      '--aggregate',
      'sum',
      'wc -l',
    ],
  ],
  [
    'fill with context',
    'command: [echo, "x{}y"]\nargs: {fill: context}\ninput: {values: [a, b]}\n',
    ['-X', 'echo', 'x{}y', ':::', 'a', 'b'],
  ],
  [
    'pipepart',
    'pipe: {mode: pipepart}\ninput: {path: big.log}\ncommand: wc -l\n',
    ['--pipepart', '-a', 'big.log', 'wc -l'],
  ],
];

describe('a spec and its flags make the same JobSpec', () => {
  it.each(SAME)('%s', async (_, yaml, argv) => {
    expect((await resolveText(yaml)).spec).toEqual(fromFlags(argv));
  });

  it.each(SAME)('%s: --print-spec of the flags reads back as the same job', async (_, _yaml, argv) => {
    const printed = await printSpec((await resolveText(undefined, argv, true)).doc);
    expect((await resolveText(printed)).spec).toEqual(fromFlags(argv));
  });
});

describe('--print-spec', () => {
  it('prints the effective spec, flags merged, fields in table order', async () => {
    const yaml = 'command: echo {}\noutput: {tag: true}\ninput:\n  values: [a, b]\n';
    const r = await resolveText(yaml, ['-k', '-j', '4', '--records', '5']);
    expect(await printSpec(r.doc, 'job.yaml')).toBe(
      [
        "# weft job spec: job.yaml with the command line's flags over it",
        '',
        'input:',
        '  values: [a, b]',
        'chunk:',
        '  records: 5',
        'command: echo {}',
        'concurrency:',
        '  jobs: 4',
        'output:',
        '  order: keep',
        '  tag: true',
        '',
      ].join('\n'),
    );
  });

  it('reads back as the same job, for every fixture', async () => {
    for (const name of ['shell-pipeline', 'cron-job', 'log-analysis', 'ci']) {
      const text = readFileSync(new URL(`../../../fixtures/specs/${name}.yaml`, import.meta.url), 'utf8');
      const first = await resolveText(text);
      const again = await resolveText(await printSpec(first.doc));
      expect(again.spec, name).toEqual(first.spec);
    }
  });
});
