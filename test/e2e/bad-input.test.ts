import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, weft } from './helpers.js';

interface Case {
  name: string;
  args: string[];
  /** The whole stderr line after `weft: `, or a pattern it must match. */
  message: string | RegExp;
  stdin?: string;
}

const CASES: Case[] = [
  {
    name: 'unknown option',
    args: ['--frobnicate', 'echo', ':::', 'a'],
    message: "unknown option '--frobnicate' (see 'weft --help')",
  },
  { name: 'missing :::: file', args: ['echo', '::::', 'nope.txt'], message: 'nope.txt: no such file' },
  { name: 'missing -a file', args: ['-a', 'nope.txt', 'echo'], message: 'nope.txt: no such file' },
  {
    name: 'missing second file',
    args: ['echo', '::::', 'ok.txt', 'nope.txt'],
    message: 'nope.txt: no such file',
  },
  {
    name: '-j abc',
    args: ['-j', 'abc', 'echo', ':::', 'a'],
    message: "-j: 'abc' is not a number of jobs (N, N%, +N, -N, 0 or auto)",
  },
  {
    name: '-j -x',
    args: ['-j', '-x', 'echo', ':::', 'a'],
    message: "-j: '-x' is not a number of jobs (N, N%, +N, -N, 0 or auto)",
  },
  {
    name: ':::: a directory',
    args: ['echo', '::::', 'adir'],
    message: 'adir: is a directory, expected a file',
  },
  { name: '-a a directory', args: ['-a', 'adir', 'echo'], message: 'adir: is a directory, expected a file' },
  // GNU parallel reads the CSV before running anything: bad input runs no job.
  {
    name: 'unterminated CSV quote (after a good row)',
    args: ['--csv', 'echo', '::::', 'bad.csv'],
    message: /^bad\.csv:\d+: unterminated quoted field/,
  },
  {
    name: 'bad --halt',
    args: ['--halt', 'bogus', 'echo', ':::', 'a'],
    message: "--halt: 'bogus' is not a halt policy (e.g. now,fail=1 or soon,fail=10%)",
  },
  {
    name: 'bad --timeout',
    args: ['--timeout', 'xyz', 'echo', ':::', 'a'],
    message: "--timeout: 'xyz' is not a duration (e.g. 1.5, 30s, 5m)",
  },
  {
    name: '--timeout 0',
    args: ['--timeout', '0', 'echo', ':::', 'a'],
    message: "--timeout: '0' must be more than 0",
  },
  {
    name: 'bad --block',
    args: ['--pipe', '--block', '1Q', 'cat'],
    message: "--block: '1Q' is not a size (e.g. 20, 64k, 1M)",
  },
  {
    name: '--block 0',
    args: ['--pipe', '--block', '0', 'cat'],
    message: "--block: '0' must be a positive size",
  },
  {
    name: '--pipepart without -a',
    args: ['--pipepart', 'cat'],
    message: '--pipepart needs a file: --pipepart -a FILE',
  },
  // GNU: "--pipepart is incompatible with --max-replace-args, --max-lines, and -L."
  {
    name: '--pipepart with -N',
    args: ['--pipepart', '-a', 'ok.txt', '-N', '2', 'cat'],
    message: /--pipepart/,
  },
  {
    name: '--pipe without a command',
    args: ['--pipe'],
    message: '--pipe needs a command to feed the blocks to',
  },
  {
    name: '{= perl =} in the command',
    args: ['echo', '{= s/a/b/ =}', ':::', 'a'],
    message: /^perl replacement strings \(\{= \.\.\. =\}\) are not supported in '\{= s\/a\/b\/ =\}'/,
  },
  {
    name: '{= perl =} in --tagstring',
    args: ['--tagstring', '{=uc=}', 'echo', ':::', 'a'],
    message: /^perl replacement strings/,
  },
  {
    name: '--resume without --joblog',
    args: ['--resume', 'echo', ':::', 'a'],
    message: '--resume needs --joblog FILE or --journal FILE',
  },
  {
    name: '--resume-failed without --joblog',
    args: ['--resume-failed', 'echo', ':::', 'a'],
    message: '--resume needs --joblog FILE or --journal FILE',
  },
  {
    name: '--resume with --resume-failed',
    args: ['--joblog', 'jl', '--resume', '--resume-failed', 'echo', ':::', 'a'],
    message: '--resume and --resume-failed exclude each other',
  },
  {
    name: '--resume with a broken joblog',
    args: ['--joblog', 'broken.log', '--resume', 'echo', ':::', 'a'],
    message: 'broken.log:1: not a joblog row (expected 9 tab-separated columns)',
  },
  { name: '-n x', args: ['-n', 'x', 'echo', ':::', 'a'], message: "-n: 'x' is not a whole number" },
  { name: '-N -1', args: ['-N', '-1', 'echo', ':::', 'a'], message: "-N: '-1' is not a whole number" },
  {
    name: '--retries x',
    args: ['--retries', 'x', 'echo', ':::', 'a'],
    message: "--retries: 'x' is not a whole number",
  },
  {
    name: '--delay x',
    args: ['--delay', 'x', 'echo', ':::', 'a'],
    message: "--delay: 'x' is not a duration (e.g. 1.5, 30s, 5m)",
  },
  {
    name: 'bad --colsep regex',
    args: ['--colsep', '(', 'echo', ':::', 'a'],
    message: "--colsep: '(' is not a valid regular expression",
  },
  {
    name: 'bad --trim',
    args: ['--trim', 'x', 'echo', ':::', 'a'],
    message: /^option '--trim <how>' argument 'x' is invalid/,
  },
  {
    name: '-I without a value',
    args: ['-I'],
    message: "option '-I <str>' argument missing (see 'weft --help')",
  },
  {
    name: ':::: with nothing after it',
    args: ['echo', '::::'],
    message: ':::: must be followed by arguments or files',
  },
  { name: 'NUL in stdin', args: ['echo'], stdin: 'a\0b\n', message: /^stdin: record 1: contains a NUL byte/ },
  {
    name: '--joblog is a directory',
    args: ['--joblog', 'adir', 'echo', ':::', 'a'],
    message: 'adir: is a directory',
  },
  {
    name: '--results where a file is',
    args: ['--results', 'ok.txt', 'echo', ':::', 'a'],
    message: /^ok\.txt\/1\/a: cannot write results: /,
  },
];

function setup(): string {
  const cwd = tempDir({ 'ok.txt': 'x\n', 'bad.csv': 'a,b\nc,"d\ne,f\n', 'broken.log': 'garbage\n' });
  mkdirSync(join(cwd, 'adir'));
  return cwd;
}

describe.concurrent('bad input: one line on stderr, exit 255, nothing else', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await weft(c.args, { cwd: setup(), stdin: c.stdin });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(255);
    expect(r.stderr).not.toContain('    at ');
    expect(r.stderr.endsWith('\n')).toBe(true);
    const errLines = r.stderr.split('\n').slice(0, -1);
    expect(errLines).toHaveLength(1);
    expect(errLines[0].startsWith('weft: ')).toBe(true);
    const msg = errLines[0].slice('weft: '.length);
    if (typeof c.message === 'string') expect(msg).toBe(c.message);
    else expect(msg).toMatch(c.message);
  });

  it('a bad file stops the run before any job runs', async () => {
    const cwd = setup();
    const r = await weft(['touch', 'RAN-{}', ':::', 'a', '::::', 'nope.txt'], { cwd });
    expect(r.code).toBe(255);
    const again = await weft(['-k', 'ls', ':::', '.'], { cwd });
    expect(again.stdout).not.toContain('RAN-');
  });

  it('the CSV error names the line where the unterminated field starts or ends', async () => {
    const r = await weft(['--csv', 'echo', '::::', 'bad.csv'], { cwd: setup() });
    expect(r.stderr).toMatch(/^weft: bad\.csv:[23]: unterminated quoted field \(CSV input\)\n$/);
  });

  it('--debug adds the stack trace', async () => {
    const r = await weft(['--debug', 'echo', '::::', 'nope.txt'], { cwd: setup() });
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('');
    const errLines = r.stderr.trim().split('\n');
    expect(errLines[0]).toBe('weft: nope.txt: no such file');
    expect(errLines.length).toBeGreaterThan(2);
    expect(r.stderr).toContain('    at ');
    expect(r.stderr).toContain('WeftError');
  });

  it('--debug for an option error also shows where it came from', async () => {
    const r = await weft(['--debug', '-j', 'abc', 'echo', ':::', 'a'], { cwd: setup() });
    expect(r.code).toBe(255);
    expect(r.stderr.split('\n')[0]).toBe(
      "weft: -j: 'abc' is not a number of jobs (N, N%, +N, -N, 0 or auto)",
    );
    expect(r.stderr).toContain('    at ');
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await weft(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: weft \[options\]/);
    for (const flag of ['--pipepart', '--joblog', '--halt', '--tagstring', '--results', '--csv', '--link']) {
      expect(help.stdout).toContain(flag);
    }
    const version = await weft(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^weft \d+\.\d+\.\d+\n$/);
  });
});
