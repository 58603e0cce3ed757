import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/template/quote.js';
import { tempDir, weft } from '../e2e/helpers.js';

/**
 * Values that would run code, split words, expand or glob if weft quoted them wrong.
 * Every one that could run a command would create the canary file PWNED in the cwd.
 * (No NUL: a process argument cannot hold one. No `:::`/`::::`: those are separators.)
 */
const CORPUS: string[] = [
  '$(touch PWNED)',
  '`touch PWNED`',
  '; touch PWNED',
  'a;touch PWNED;b',
  '| touch PWNED',
  'x|touch PWNED',
  '&& touch PWNED',
  '|| touch PWNED',
  '& touch PWNED &',
  "'; touch PWNED; '",
  "'$(touch PWNED)'",
  '"; touch PWNED; "',
  '"$(touch PWNED)"',
  "\\'; touch PWNED; \\'",
  '\\',
  '\\\\',
  "'",
  "''",
  '"',
  "'\"'\"'",
  'trailing\\',
  'a\nb',
  '\ntouch PWNED\n',
  '\n',
  'a\tb',
  '\t',
  '*',
  '?',
  '[a]',
  '*.txt',
  '~',
  '~root',
  '~/x',
  '$HOME',
  '${HOME}',
  '${IFS}',
  'a${IFS}touch${IFS}PWNED',
  '$((1+1))',
  '$0',
  '$$',
  '$?',
  '$@',
  '$*',
  '$1',
  '😀',
  '👩‍👩‍👧',
  'שלום',
  '\u202Eevil\u202C',
  'e\u0301',
  '\u00a0nbsp',
  '\u200b',
  'ﬁ',
  '-n',
  '-e',
  '--help',
  '-',
  '--',
  '-rf /',
  '!',
  '!!',
  '!$',
  '#',
  '# comment',
  'a #b',
  '%',
  '%s',
  '%n%n%n',
  '',
  ' ',
  '   ',
  ' lead',
  'trail ',
  'a  b',
  '{}',
  '{1}',
  '{=$_=}',
  '>PWNED',
  '<PWNED',
  '2>PWNED',
  '>>PWNED',
  '(touch PWNED)',
  '{ touch PWNED; }',
  'x=1 touch PWNED',
  'touch PWNED',
  '^',
  '\r',
  'a\rb',
  '\x1b[31mred\x1b[0m',
  '\x07',
  'a'.repeat(50_000),
  "'".repeat(2_000),
  ' $(touch PWNED) '.repeat(500),
];

describe('injection corpus', () => {
  it('has at least 40 distinct values and none is a weft separator', () => {
    expect(new Set(CORPUS).size).toBe(CORPUS.length);
    expect(CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(CORPUS.some((v) => v === ':::' || v === '::::' || v.includes('\0'))).toBe(false);
  });
});

describe.each(['/bin/sh', '/bin/bash'])('shellQuote read back by %s', (shell) => {
  it.each(CORPUS.map((v, i) => [i, JSON.stringify(v).slice(0, 40), v] as const))(
    '#%i %s survives the shell verbatim',
    (_i, _label, value) => {
      const dir = tempDir({ 'a.txt': '', 'b.txt': '' });
      const r = spawnSync(shell, ['-c', "printf '%s' " + shellQuote(value)], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(value);
      expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    },
  );

  it('two quoted values stay two words', () => {
    const r = spawnSync(
      shell,
      ['-c', 'for w in ' + shellQuote('a b') + ' ' + shellQuote("c'd") + '; do printf "<%s>" "$w"; done'],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe("<a b><c'd>");
  });
});

describe('weft passes every value through the shell verbatim (e2e)', () => {
  // Globs must have something to match, so a wrong quote would show.
  const files = { 'a.txt': '', 'b.txt': '', a: '' };

  it('one job per value, -k, output exactly the values, no canary', async () => {
    const cwd = tempDir(files);
    const r = await weft(['-k', "printf '%s\\0'", ':::', ...CORPUS], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0')).toEqual([...CORPUS, '']);
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
    expect(readdirSync(cwd).sort()).toEqual(['a', 'a.txt', 'b.txt']);
  });

  it('the same with -q and the values as positional {1}', async () => {
    const cwd = tempDir(files);
    const r = await weft(['-k', '-q', 'printf', '%s\\0', '{1}', ':::', ...CORPUS], { cwd });
    expect(r.code).toBe(0);
    // With -q the format word reaches printf as the 4 characters %s\0: printf turns \0 into NUL.
    expect(r.stdout.split('\0')).toEqual([...CORPUS, '']);
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
  });

  it('values read from a file (-d with NUL) are as safe as ::: values', async () => {
    const small = CORPUS.filter((v) => v.length < 1000);
    const cwd = tempDir(files);
    writeFileSync(join(cwd, 'vals'), small.map((v) => v + '\0').join(''));
    const r = await weft(['-k', '-0', '-a', 'vals', "printf '%s\\0'"], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\0')).toEqual([...small, '']);
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
  });

  it('-X and -m put many nasty values on one command line safely', async () => {
    const small = CORPUS.filter((v) => v.length < 1000);
    for (const flag of ['-X', '-m']) {
      const cwd = tempDir(files);
      const r = await weft(['-k', '-j1', flag, "printf '%s\\0'", ':::', ...small], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout.split('\0')).toEqual([...small, '']);
      expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
    }
  });

  it('--tag, --tagstring and --dry-run never run values', async () => {
    // (An empty value's tag is checked in test/e2e/output.test.ts.)
    const small = CORPUS.filter((v) => v.length < 1000 && v !== '' && !v.includes('\n') && !v.includes('\r'));
    const cwd = tempDir(files);
    const tagged = await weft(['-k', '--tag', "printf '%s\\n' x", ':::', ...small], { cwd });
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toBe(small.map((v) => `${v}\tx\n${v}\t${v}\n`).join(''));
    const ts = await weft(['-k', '--tagstring', '<{}>', 'printf y', ':::', ...small], { cwd });
    expect(ts.code).toBe(0);
    expect(ts.stdout).toBe(small.map((v) => `<${v}>\ty`).join(''));
    const dry = await weft(['-k', '--dry-run', 'echo', ':::', ...small], { cwd });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(small.map((v) => 'echo ' + shellQuote(v) + '\n').join(''));
    expect(existsSync(join(cwd, 'PWNED'))).toBe(false);
  });
});
