import { describe, expect, it } from 'vitest';
import { problemLines, resolveText } from './helpers.js';

/** A spec with one problem, and the one line weft prints for it (after `weft: `). */
const ONE: [name: string, yaml: string, line: string][] = [
  // negative numbers and bad types
  [
    'negative records',
    'chunk:\n  records: -5\n',
    'job.yaml:2:12: chunk.records must be a positive integer, got -5',
  ],
  [
    'zero records',
    'chunk:\n  records: 0\n',
    'job.yaml:2:12: chunk.records must be a positive integer, got 0',
  ],
  [
    'fractional overlap',
    'chunk:\n  overlap: 1.5\n',
    'job.yaml:2:12: chunk.overlap must be a whole number (0 or more), got 1.5',
  ],
  [
    'string for a count',
    'retry:\n  attempts: three\n',
    "job.yaml:2:13: retry.attempts must be a whole number (0 or more), got 'three'",
  ],
  [
    'negative jobs',
    'concurrency:\n  jobs: -2\n',
    'job.yaml:2:9: concurrency.jobs must be a number of jobs (N, N%, +N, -N, 0 or auto), got -2',
  ],
  [
    'bad jobs text',
    'concurrency:\n  jobs: lots\n',
    "job.yaml:2:9: concurrency.jobs must be a number of jobs (N, N%, +N, -N, 0 or auto), got 'lots'",
  ],
  [
    'yes is not a boolean (YAML 1.2)',
    'output:\n  tag: yes\n',
    "job.yaml:2:8: output.tag must be true or false, got 'yes'",
  ],
  [
    'list for a string',
    'output:\n  results: [a, b]\n',
    'job.yaml:2:12: output.results must be a non-empty string, got a list',
  ],
  ['empty value', 'logs:\n  joblog:\n', 'job.yaml:2:10: logs.joblog must be a non-empty string, got nothing'],
  [
    'bad choice',
    'output:\n  order: random\n',
    "job.yaml:2:10: output.order must be one of keep, finish, got 'random'",
  ],
  [
    'bad format',
    'input:\n  format: xml\n',
    "job.yaml:2:11: input.format must be one of csv, tsv, json, ndjson, lines, got 'xml'",
  ],
  [
    'bad fold',
    'aggregate:\n  fold: median\n',
    "job.yaml:2:9: aggregate.fold must be one of concat, sum, count, min, max, mean, uniq, count-distinct, got 'median'",
  ],
  [
    'bad regex',
    "input:\n  colsep: '('\n",
    "job.yaml:2:11: input.colsep must be a valid regular expression, got '('",
  ],
  [
    'report extension',
    'logs:\n  report: out.txt\n',
    "job.yaml:2:11: logs.report must be a file name ending in .json or .html, got 'out.txt'",
  ],
  [
    'bad on-bad-record',
    'input:\n  on-bad-record: ignore\n',
    "job.yaml:2:18: input.on-bad-record must be fail, skip or quarantine:FILE, got 'ignore'",
  ],
  // durations, sizes, policies
  [
    'duration with words',
    'concurrency:\n  delay: 5 minutes\n',
    "job.yaml:2:10: concurrency.delay must be a duration (e.g. 1.5, 30s, 5m), got '5 minutes'",
  ],
  [
    'negative duration',
    'chunk:\n  window: -1\n',
    'job.yaml:2:11: chunk.window must be a duration (e.g. 1.5, 30s, 5m), got -1',
  ],
  [
    'timeout 0',
    'timeout: 0\n',
    'job.yaml:1:10: timeout must be a duration above 0 (e.g. 30s, 5m) or a percentage of the median runtime (e.g. 200%), got 0',
  ],
  [
    'timeout unit',
    'timeout: 5 min\n',
    "job.yaml:1:10: timeout must be a duration above 0 (e.g. 30s, 5m) or a percentage of the median runtime (e.g. 200%), got '5 min'",
  ],
  [
    'size unit',
    'chunk:\n  block: 1Q\n',
    "job.yaml:2:10: chunk.block must be a size other than 0 (e.g. 64k, 1M), got '1Q'",
  ],
  [
    'size 0',
    'chunk:\n  block: 0\n',
    'job.yaml:2:10: chunk.block must be a size other than 0 (e.g. 64k, 1M), got 0',
  ],
  [
    'halt policy',
    'halt: sooon,fail=1\n',
    "job.yaml:1:7: halt must be a halt policy (e.g. now,fail=1 or soon,fail=10%), got 'sooon,fail=1'",
  ],
  // shapes
  [
    'section not a mapping',
    'output: keep\n',
    "job.yaml:1:9: output must be a mapping of fields (order, buffer, tag, tagstring, results, file), got 'keep'",
  ],
  [
    'command item',
    'command: [echo, {a: 1}]\n',
    'job.yaml:1:17: command[1] must be a word (a string or a number), got a mapping',
  ],
  [
    'empty command list',
    'command: []\n',
    'job.yaml:1:10: command must be a command (a string, or a list of words), got a list',
  ],
  [
    'values item',
    'input:\n  values: [a, [b]]\n',
    'job.yaml:2:15: input.values[1] must be a value (a string, a number or true/false), got a list',
  ],
  [
    'values is a string',
    'input:\n  values: a b c\n',
    "job.yaml:2:11: input.values must be a list of values, or a list of lists (one per input source), got 'a b c'",
  ],
  ['env name', 'env:\n  1BAD: x\n', 'job.yaml:2:3: env.1BAD is not a valid environment variable name'],
  [
    'env value',
    'env:\n  PATHS: [a]\n',
    'job.yaml:2:10: env.PATHS must be a string, a number or true/false, got a list',
  ],
  [
    'a separator among values',
    "input:\n  values: [a, ':::']\n",
    "job.yaml:2:15: input.values[1] is ':::', which the command line reads as an input separator; put such values in a file (input.path)",
  ],
  // unknown keys, with and without a hint
  [
    'typo in a field',
    'chunk:\n  recrods: 5\n',
    'job.yaml:2:3: unknown field chunk.recrods; did you mean chunk.records?',
  ],
  [
    'typo in a section',
    'concurency:\n  jobs: 4\n',
    'job.yaml:1:1: unknown field concurency; did you mean concurrency?',
  ],
  [
    'field at the wrong level',
    'records: 5\n',
    'job.yaml:1:1: unknown field records; did you mean chunk.records?',
  ],
  [
    'a flag name as a field',
    'retries: 3\n',
    'job.yaml:1:1: unknown field retries; did you mean retry.attempts?',
  ],
  [
    'a flag name in its section',
    'output:\n  keep-order: true\n',
    'job.yaml:2:3: unknown field output.keep-order; did you mean output.order?',
  ],
  ['nothing close', 'frobnicate: 1\n', 'job.yaml:1:1: unknown field frobnicate'],
  // the document itself
  ['empty file', '', 'job.yaml:1:1: the spec is empty (see docs/spec.md: input and command are enough)'],
  [
    'a list',
    '- a\n',
    'job.yaml:1:1: the spec must be a mapping of sections, got a list (see docs/spec.md: input and command are enough)',
  ],
  // YAML syntax
  [
    'unclosed flow list',
    'input:\n  values: [a, b\ncommand: echo\n',
    'job.yaml:3:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  ['duplicate key', 'command: a\ncommand: b\n', 'job.yaml:2:1: YAML syntax: Map keys must be unique'],
  [
    'tab indentation',
    'chunk:\n\trecords: 5\n',
    'job.yaml:2:1: YAML syntax: Tabs are not allowed as indentation',
  ],
];

describe('each spec problem is reported at its place', () => {
  it.each(ONE)('%s', async (_, yaml, line) => {
    expect(await problemLines(yaml)).toEqual([line]);
  });
});

describe('every problem at once', () => {
  it('reports all of them, one line each, in file order', async () => {
    const yaml = [
      'input:', //                        1
      '  values: [a, b]', //             2
      '  formt: csv', //                 3
      'chunk:', //                        4
      '  records: -5', //                5
      'concurrency:', //                  6
      '  jobs: many', //                 7
      'timeout: 5 parsecs', //            8
      'outptu:', //                       9
      '  order: keep', //                10
    ].join('\n');
    expect(await problemLines(yaml)).toEqual([
      'job.yaml:3:3: unknown field input.formt; did you mean input.format?',
      'job.yaml:5:12: chunk.records must be a positive integer, got -5',
      "job.yaml:7:9: concurrency.jobs must be a number of jobs (N, N%, +N, -N, 0 or auto), got 'many'",
      "job.yaml:8:10: timeout must be a duration above 0 (e.g. 30s, 5m) or a percentage of the median runtime (e.g. 200%), got '5 parsecs'",
      'job.yaml:9:1: unknown field outptu; did you mean output?',
    ]);
  });

  it('reports every YAML syntax error, and nothing about the schema then', async () => {
    const lines = await problemLines('a: 1\na: 2\n  c: 1\nchunk:\n  records: -5\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^job\.yaml:\d+:\d+: YAML syntax: /);
  });
});

describe('problems with flags carry no file position', () => {
  it('names the flag', async () => {
    expect(await problemLines('command: echo\n', ['--records', '-5', '-j', 'abc'])).toEqual([
      '--records must be a positive integer, got -5',
      "-j must be a number of jobs (N, N%, +N, -N, 0 or auto), got 'abc'",
    ]);
  });

  it('a good flag hides a bad spec value (flags override the spec)', async () => {
    expect(await problemLines('chunk:\n  records: -5\ncommand: cat\n', ['--records', '5'])).toEqual([]);
  });
});

describe('problems only the final parse finds', () => {
  it('places them at the first spec field the message names', async () => {
    const yaml = 'input:\n  values: [a]\ncommand: echo\nlogs:\n  resume: skip-done\n';
    expect(await problemLines(yaml)).toEqual([
      'job.yaml:5:11: --resume needs --joblog FILE or --journal FILE (in the spec: --resume is logs.resume)',
    ]);
  });

  it('leaves flags-only problems as they are', async () => {
    expect(await problemLines('command: echo\n', ['--resume'])).toEqual([
      '--resume needs --joblog FILE or --journal FILE',
    ]);
  });
});

describe('fields no flag does yet', () => {
  const yaml = 'command: echo\noutput:\n  file: out.txt\n';

  it('are refused by a run, at their place', async () => {
    expect(await problemLines(yaml)).toEqual([
      'job.yaml:3:9: output.file is not supported yet (no flag does this yet); remove it to run',
    ]);
  });

  it('only warn when checking', async () => {
    const r = await resolveText(yaml, [], true);
    expect(r.warnings.map((w) => w.describe())).toEqual([
      'job.yaml:3:9: warning: output.file is not supported yet; a run stops here',
    ]);
  });

  it('are still checked for their type', async () => {
    expect(await problemLines('output:\n  file: [1]\n')).toEqual([
      'job.yaml:2:9: output.file must be a non-empty string, got a list',
      'job.yaml:2:9: output.file is not supported yet (no flag does this yet); remove it to run',
    ]);
  });
});
