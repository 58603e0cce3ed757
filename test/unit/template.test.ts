import { describe, expect, it } from 'vitest';
import { WeftError } from '../../src/errors.js';
import { compileTemplate, type TemplateOptions } from '../../src/template/expand.js';
import { parseWord, type ParseOptions } from '../../src/template/parse.js';
import { base, dir, exts, noExt, stripExts } from '../../src/template/paths.js';
import { shellQuote } from '../../src/template/quote.js';

const OPTS: TemplateOptions = { replace: '{}', plus: false, quoteCommand: false, context: false };
const PARSE: ParseOptions = { replace: '{}', plus: false };

/** Expands `command` for one job. */
function expand(
  command: string[],
  args: string[],
  opts: Partial<TemplateOptions> = {},
  ctx: { seq?: number; slot?: number; total?: number } = {},
): string {
  return compileTemplate(command, { ...OPTS, ...opts }).expand({
    args,
    seq: ctx.seq ?? 1,
    slot: ctx.slot ?? 1,
    total: ctx.total,
  });
}

describe('shellQuote', () => {
  it.each([
    ['abc', 'abc'],
    ['a-b_c.d+e/f', 'a-b_c.d+e/f'],
    ['0123456789', '0123456789'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", `'it'"'"'s'`],
    ["'", `"'"`],
    ["'a'", `"'"'a'"'"`],
    ["''", `"'"''"'"`],
    ['$HOME', "'$HOME'"],
    ['a\nb', "'a\nb'"],
    ['~', "'~'"],
    ['*', "'*'"],
    ['-n', '-n'],
    ['a\\b', "'a\\b'"],
    ['é', "'é'"],
  ])('quotes %j as %j', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });
});

describe('path transforms', () => {
  it.each([
    ['a/b.c/d.tar.gz', 'a/b.c/d.tar', 'd.tar.gz', 'a/b.c'],
    ['plain', 'plain', 'plain', '.'],
    ['dir/file', 'dir/file', 'file', 'dir'],
    ['.hidden', '', '.hidden', '.'],
    ['x.y', 'x', 'x.y', '.'],
    // GNU {.} is s:\.[^/.]*$:: — a trailing dot goes too.
    ['a.', 'a', 'a.', '.'],
    ['d/b.c.', 'd/b.c', 'b.c.', 'd'],
  ])('%j: noExt %j, base %j, dir %j', (s, ne, b, d) => {
    expect(noExt(s)).toBe(ne);
    expect(base(s)).toBe(b);
    expect(dir(s)).toBe(d);
  });

  it('stripExts and exts remove and return the last n extensions', () => {
    expect(stripExts('a/x.tar.gz', 1)).toBe('a/x.tar');
    expect(stripExts('a/x.tar.gz', 2)).toBe('a/x');
    expect(exts('a/x.tar.gz', 1)).toBe('gz');
    expect(exts('a/x.tar.gz', 2)).toBe('tar.gz');
    expect(exts('noext', 1)).toBe('');
  });

  // GNU parallel's {//} is Perl's File::Basename::dirname.
  it.each([
    ['/x.y', '/'],
    ['/', '/'],
    ['a//b', 'a'],
    ['a/b/', 'a'],
    ['a/', '.'],
    ['//x', '/'],
  ])('dir(%j) is %j as in GNU parallel', (s, d) => {
    expect(dir(s)).toBe(d);
  });
});

describe('parseWord', () => {
  it('splits a word into literal text and tokens', () => {
    expect(parseWord('pre{}post', PARSE)).toEqual(['pre', { kind: 'arg', transform: '' }, 'post']);
    expect(parseWord('{.}', PARSE)).toEqual([{ kind: 'arg', transform: '.' }]);
    expect(parseWord('{/}{//}{/.}', PARSE)).toEqual([
      { kind: 'arg', transform: '/' },
      { kind: 'arg', transform: '//' },
      { kind: 'arg', transform: '/.' },
    ]);
    expect(parseWord('{#}-{%}', PARSE)).toEqual([
      { kind: 'seq', pad: false },
      '-',
      { kind: 'slot', pad: false },
    ]);
    expect(parseWord('{1}{2.}{3/}{4//}{5/.}', PARSE)).toEqual([
      { kind: 'arg', pos: 1, transform: '' },
      { kind: 'arg', pos: 2, transform: '.' },
      { kind: 'arg', pos: 3, transform: '/' },
      { kind: 'arg', pos: 4, transform: '//' },
      { kind: 'arg', pos: 5, transform: '/.' },
    ]);
  });

  it('leaves text without replacement strings as one literal', () => {
    expect(parseWord('echo', PARSE)).toEqual(['echo']);
    expect(parseWord('{x}', PARSE)).toEqual(['{x}']);
    expect(parseWord('', PARSE)).toEqual([]);
  });

  it('recognises --plus forms only with plus on', () => {
    expect(parseWord('{##}', PARSE)).toEqual(['{##}']);
    expect(parseWord('{..}', PARSE)).toEqual(['{..}']);
    const plus = { ...PARSE, plus: true };
    expect(parseWord('{##}', plus)).toEqual([{ kind: 'total' }]);
    expect(parseWord('{0#}', plus)).toEqual([{ kind: 'seq', pad: true }]);
    expect(parseWord('{..}{+.}{+/}', plus)).toEqual([
      { kind: 'arg', transform: '..' },
      { kind: 'arg', transform: '+.' },
      { kind: 'arg', transform: '+/' },
    ]);
  });

  it('uses -I STR for the argument and no longer treats {} as a token', () => {
    const opts = { ...PARSE, replace: 'XX' };
    expect(parseWord('aXXb', opts)).toEqual(['a', { kind: 'arg', transform: '' }, 'b']);
    expect(parseWord('{}', opts)).toEqual(['{}']);
  });

  it('maps {name} to the column position with --header names', () => {
    const opts = { ...PARSE, names: ['id', 'text'] };
    expect(parseWord('{text}/{id}', opts)).toEqual([
      { kind: 'arg', pos: 2, transform: '' },
      '/',
      { kind: 'arg', pos: 1, transform: '' },
    ]);
  });

  it.each(['{= uc =}', 'x{=$_=}y', '{=1 $_="a" =}'])(
    'rejects the perl expression %j with E_TEMPLATE',
    (w) => {
      let caught: unknown;
      try {
        parseWord(w, PARSE);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(WeftError);
      expect((caught as WeftError).code).toBe('E_TEMPLATE');
      expect((caught as WeftError).exitCode).toBe(255);
      expect((caught as WeftError).message).toContain(w);
    },
  );
});

describe('compileTemplate', () => {
  it('expands {} {.} {/} {//} {/.}', () => {
    expect(expand(['echo', '{}', '{.}', '{/}', '{//}', '{/.}'], ['a/b.c/d.tar.gz'])).toBe(
      'echo a/b.c/d.tar.gz a/b.c/d.tar d.tar.gz a/b.c d.tar',
    );
    expect(expand(['echo', '{}', '{.}', '{/}', '{//}', '{/.}'], ['plain'])).toBe(
      'echo plain plain plain . plain',
    );
  });

  it('expands {#} and {%} from the context', () => {
    expect(expand(['echo', '{#}', '{%}'], ['x'], {}, { seq: 42, slot: 7 })).toBe('echo 42 7');
  });

  it('expands positional {1} {2.} {3/} {n//} {n/.}', () => {
    const args = ['a/b.c', 'd/e.f', 'g/h.i'];
    expect(expand(['echo', '{1}', '{2.}', '{3/}', '{1//}', '{2/.}'], args)).toBe('echo a/b.c d/e h.i a e');
  });

  it('gives an empty quoted word for a position past the arguments', () => {
    expect(expand(['echo', '{3}'], ['a'])).toBe("echo ''");
  });

  it('joins all arguments for {} when a job has several', () => {
    expect(expand(['echo', '{}'], ['a', 'b c'])).toBe("echo a 'b c'");
    expect(expand(['echo', 'x{.}y'], ['a.1', 'b.2'])).toBe('echo xa by');
  });

  it('appends {} when the command names no replacement string', () => {
    const t = compileTemplate(['echo', 'hi'], OPTS);
    expect(t.explicit).toBe(false);
    expect(t.expand({ args: ['a b'], seq: 1, slot: 1 })).toBe("echo hi 'a b'");
  });

  it('does not append {} when the command names one (even only {#})', () => {
    const t = compileTemplate(['echo', '{#}'], OPTS);
    expect(t.explicit).toBe(true);
    expect(t.expand({ args: ['a'], seq: 3, slot: 1 })).toBe('echo 3');
  });

  it('does not append {} when appendArgs is false (pipe mode)', () => {
    expect(expand(['wc', '-l'], ['x'], { appendArgs: false })).toBe('wc -l');
  });

  it('runs each argument as the command when there is no command', () => {
    expect(expand([], ['echo a; echo b'])).toBe('echo a; echo b');
  });

  it('uses -I STR as the replacement string and appends when STR is absent', () => {
    expect(expand(['mv', 'XX', 'XX.bak'], ['a b'], { replace: 'XX' })).toBe("mv 'a b' 'a b'.bak");
    expect(expand(['echo', '{}'], ['v'], { replace: 'XX' })).toBe('echo {} v');
  });

  it('keeps command words as shell text and quotes only values', () => {
    expect(expand(['echo $HOME;', '{}'], ['$HOME'])).toBe("echo $HOME; '$HOME'");
  });

  it('-q quotes the command words too', () => {
    expect(expand(['printf', '%s|%s\\n', 'a b'], ['c d'], { quoteCommand: true })).toBe(
      "printf '%s|%s\\n' 'a b' 'c d'",
    );
    expect(expand(['echo', 'pre {}'], ['x y'], { quoteCommand: true })).toBe("echo 'pre ''x y'");
  });

  it('-X repeats the word around {} once per argument', () => {
    expect(expand(['echo', 'pre{}post'], ['a', 'b', 'c'], { context: true })).toBe(
      'echo preapost prebpost precpost',
    );
    expect(expand(['echo', '-f{.}.o'], ['x.c', 'y z.c'], { context: true })).toBe("echo -fx.o -f'y z'.o");
  });

  it('-X leaves words with only positional tokens alone', () => {
    expect(expand(['echo', '{1}', 'x{}'], ['a', 'b'], { context: true })).toBe('echo a xa xb');
  });

  it('without -X, a word holding {} gets all arguments space-separated (-m)', () => {
    expect(expand(['echo', 'pre{}post'], ['a', 'b', 'c'])).toBe('echo prea b cpost');
  });

  it('--plus: {##} and {0#} need the total and pad {0#} to its width', () => {
    const t = compileTemplate(['echo', '{0#}/{##}'], { ...OPTS, plus: true });
    expect(t.needsTotal).toBe(true);
    expect(t.expand({ args: ['a'], seq: 7, slot: 1, total: 120 })).toBe('echo 007/120');
    expect(t.expand({ args: ['a'], seq: 10, slot: 1, total: 10 })).toBe('echo 10/10');
    expect(compileTemplate(['echo', '{}'], { ...OPTS, plus: true }).needsTotal).toBe(false);
  });

  it('--plus: {..} {...} {/..} {+.} {+..} {+/} on names with enough extensions', () => {
    const cmd = ['echo', '{..}', '{...}', '{/..}', '{+.}', '{+..}', '{+...}', '{+/}'];
    expect(expand(cmd, ['d/x.y.tar.gz'], { plus: true })).toBe('echo d/x.y d/x x.y gz tar.gz y.tar.gz d');
  });

  // GNU: '{..}' => 's:\.[^/.]*\.[^/.]*$::' only strips when there are two extensions,
  // '{+..}' => 's:.*\.([^/.]*\.[^/.]*)$:$1: || s:.*$::', '{+/}' => 's:/[^/]*$:: || s:.*$::'.
  it('--plus: forms with fewer extensions than asked for behave as in GNU parallel', () => {
    const cmd = ['echo', '{..}', '{+..}', '{/..}', '{...}'];
    expect(expand(cmd, ['a/b.gz'], { plus: true })).toBe("echo a/b.gz '' b.gz a/b.gz");
    expect(expand(['echo', '{+/}'], ['c.d.e.f'], { plus: true })).toBe("echo ''");
  });

  it('raw mode (for --tagstring) inserts values unquoted', () => {
    const t = compileTemplate(['<{}> {#}'], { ...OPTS, raw: true });
    expect(t.expand({ args: ["it's a $x"], seq: 2, slot: 1 })).toBe("<it's a $x> 2");
    expect(
      compileTemplate(['{1}|{2}'], { ...OPTS, raw: true }).expand({ args: ['a b', ''], seq: 1, slot: 1 }),
    ).toBe('a b|');
  });

  it('throws E_TEMPLATE for {= perl =} in a command', () => {
    expect(() => compileTemplate(['echo', '{= s/a/b/ =}'], OPTS)).toThrow(WeftError);
    try {
      compileTemplate(['echo', '{= s/a/b/ =}'], OPTS);
    } catch (err) {
      expect((err as WeftError).code).toBe('E_TEMPLATE');
    }
  });

  it('--header names: {name} selects a column', () => {
    expect(expand(['echo', '{age}:{name}'], ['ann', '31'], { names: ['name', 'age'] })).toBe('echo 31:ann');
  });
});
