import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, sortedLines, tempDir, weft } from './helpers.js';

const tempDirHas = (dir: string, name: string) => existsSync(join(dir, name));

/** Runs weft and expects success with exactly `stdout` and no stderr. */
async function expectOut(args: string[], stdout: string, opts: Parameters<typeof weft>[1] = {}) {
  const r = await weft(args, opts);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(stdout);
  expect(r.code).toBe(0);
}

describe.concurrent('input sources', () => {
  it('::: values, one job each, -k keeps input order', async () => {
    await expectOut(['-k', 'echo', ':::', 'a', 'b', 'c'], 'a\nb\nc\n');
  });

  it('without -k every value still runs exactly once', async () => {
    const r = await weft(['echo', ':::', ...'abcdefgh'.split('')]);
    expect(sortedLines(r.stdout)).toEqual('abcdefgh'.split(''));
  });

  it('two ::: sources form their product, first outermost', async () => {
    await expectOut(['-k', 'echo', ':::', 'a', 'b', ':::', '1', '2'], 'a 1\na 2\nb 1\nb 2\n');
  });

  it(':::: FILE reads one argument per line; two files form a product', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\ny3\n' });
    await expectOut(['-k', 'echo', '::::', 'x.txt', 'y.txt'], 'x1 y1\nx1 y2\nx1 y3\nx2 y1\nx2 y2\nx2 y3\n', {
      cwd,
    });
  });

  it(':::: keeps empty lines as empty arguments and a last line without newline', async () => {
    const cwd = tempDir({ 'f.txt': 'a\n\nb' });
    await expectOut(['-k', 'echo', '[{}]', '::::', 'f.txt'], '[a]\n[]\n[b]\n', { cwd });
  });

  it(':::+ links to the previous source', async () => {
    await expectOut(['-k', 'echo', ':::', 'a', 'b', 'c', ':::+', '1', '2', '3'], 'a 1\nb 2\nc 3\n');
  });

  // GNU: ":::+ ... Contrary to --link, values do not wrap: The shortest input source determines the length."
  it(':::+ with a shorter source stops at the shortest (GNU parallel)', async () => {
    await expectOut(['-k', 'echo', ':::', 'a', 'b', 'c', ':::+', '1', '2'], 'a 1\nb 2\n');
  });

  it('::::+ links a file to the previous file', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\n' });
    await expectOut(['-k', 'echo', '::::', 'x.txt', '::::+', 'y.txt'], 'x1 y1\nx2 y2\n', { cwd });
  });

  it('::::+ links every file after it (GNU parallel)', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\n', 'z.txt': 'z1\nz2\n' });
    await expectOut(['-k', 'echo', '::::', 'x.txt', '::::+', 'y.txt', 'z.txt'], 'x1 y1 z1\nx2 y2 z2\n', {
      cwd,
    });
  });

  it('::::+ with a shorter file stops at the shortest (GNU parallel)', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\ny3\n' });
    await expectOut(['-k', 'echo', '::::', 'x.txt', '::::+', 'y.txt'], 'x1 y1\nx2 y2\n', { cwd });
  });

  it('mixing ::: :::+ and a further ::: (GNU man page example)', async () => {
    await expectOut(
      ['-k', 'echo', ':::', 'a', 'b', ':::+', '1', '2', ':::', 'X', 'Y', ':::+', '11', '22'],
      'a 1 X 11\na 1 Y 22\nb 2 X 11\nb 2 Y 22\n',
    );
  });

  it('-a FILE, repeatable, forms a product', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\n' });
    await expectOut(['-k', '-a', 'x.txt', '-a', 'y.txt', 'echo'], 'x1 y1\nx1 y2\nx2 y1\nx2 y2\n', { cwd });
    await expectOut(['-k', '--arg-file', 'x.txt', 'echo'], 'x1\nx2\n', { cwd });
  });

  it('-a FILE together with ::: (files first)', async () => {
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n' });
    await expectOut(['-k', '-a', 'x.txt', 'echo', ':::', 'a'], 'x1 a\nx2 a\n', { cwd });
  });

  it('--link wraps shorter sources', async () => {
    await expectOut(
      ['-k', '--link', 'echo', ':::', 'a', 'b', 'c', ':::', '1', '2', ':::', 'X', 'Y', 'Z', 'W'],
      'a 1 X\nb 2 Y\nc 1 Z\na 2 W\n',
    );
    const cwd = tempDir({ 'x.txt': 'x1\nx2\n', 'y.txt': 'y1\ny2\ny3\n' });
    await expectOut(['-k', '--link', '-a', 'x.txt', '-a', 'y.txt', 'echo'], 'x1 y1\nx2 y2\nx1 y3\n', { cwd });
  });

  it('stdin: one argument per line when there is no source', async () => {
    await expectOut(['-k', 'echo', 'got'], 'got a\ngot b c\n', { stdin: 'a\nb c\n' });
  });

  it(':::: - and -a - read stdin as one of several sources', async () => {
    await expectOut(['-k', 'echo', '::::', '-', ':::', '1', '2'], 'a 1\na 2\nb 1\nb 2\n', {
      stdin: 'a\nb\n',
    });
    await expectOut(['-k', '-a', '-', 'echo', ':::', '1'], 'a 1\nb 1\n', { stdin: 'a\nb\n' });
  });

  it('stdin with no command: each line is a command', async () => {
    await expectOut(['-k'], 'a\nb\nc\n', { stdin: 'echo a\necho b; echo c\n' });
  });

  it('::: with no command: each value is a command', async () => {
    await expectOut(['-k', ':::', 'echo a', 'echo b | tr b B'], 'a\nB\n');
  });

  it('-0 splits stdin at NUL (newlines stay inside arguments)', async () => {
    await expectOut(['-k', '-0', 'echo', '[{}]'], '[a b]\n[c\nd]\n[e]\n', { stdin: 'a b\0c\nd\0e\0' });
    await expectOut(['-k', '--null', 'echo'], 'x\n', { stdin: 'x' });
  });

  it('-d DELIM, with \\t and \\xHH escapes', async () => {
    await expectOut(['-k', '-d', ',', 'echo', '[{}]'], '[a]\n[b]\n[c\n]\n', { stdin: 'a,b,c\n' });
    await expectOut(['-k', '-d', '\\t', 'echo', '[{}]'], '[a]\n[b c]\n', { stdin: 'a\tb c' });
    await expectOut(['-k', '-d', '\\x3b', 'echo', '[{}]'], '[a]\n[b]\n', { stdin: 'a;b;' });
    await expectOut(['-k', '-d', '\\0', 'echo', '[{}]'], '[a]\n[b]\n', { stdin: 'a\0b\0' });
  });

  it('-d applies to :::: files too', async () => {
    const cwd = tempDir({ 'f.txt': 'a:b:c' });
    await expectOut(['-k', '-d', ':', 'echo', '::::', 'f.txt'], 'a\nb\nc\n', { cwd });
  });

  it('--arg-sep and --arg-file-sep rename ::: and ::::', async () => {
    await expectOut(['-k', '--arg-sep', ',,', 'echo', ',,', 'a', 'b'], 'a\nb\n');
    // ::: is now an ordinary word of the command.
    await expectOut(['-k', '--arg-sep', ',,', 'echo', ':::', ',,', 'a'], '::: a\n');
    const cwd = tempDir({ 'f.txt': 'x1\nx2\n' });
    await expectOut(['-k', '--arg-file-sep', '//', 'echo', '//', 'f.txt'], 'x1\nx2\n', { cwd });
  });

  it('--trim n|l|r|lr|rl', async () => {
    const vals = [':::', '  a  ', '\tb '];
    await expectOut(['-k', '--trim', 'lr', 'echo', '[{}]', ...vals], '[a]\n[b]\n');
    await expectOut(['-k', '--trim', 'rl', 'echo', '[{}]', ...vals], '[a]\n[b]\n');
    await expectOut(['-k', '--trim', 'l', 'echo', '[{}]', ...vals], '[a  ]\n[b ]\n');
    await expectOut(['-k', '--trim', 'r', 'echo', '[{}]', ...vals], '[  a]\n[\tb]\n');
    await expectOut(['-k', '--trim', 'n', 'echo', '[{}]', ...vals], '[  a  ]\n[\tb ]\n');
  });

  it('--trim applies to each --colsep column', async () => {
    await expectOut(
      ['-k', '--colsep', ',', '--trim', 'lr', 'echo', '[{1}]', '[{2}]', ':::', ' a , b '],
      '[a] [b]\n',
    );
  });

  it('--shuf runs every job once, in a random order', async () => {
    const values = Array.from({ length: 30 }, (_, i) => String(i + 1));
    const r = await weft(['-k', '--shuf', 'echo', ':::', ...values]);
    expect(r.code).toBe(0);
    const got = lines(r.stdout);
    expect([...got].sort()).toEqual([...values].sort());
    // 1 in 30! to be in input order by chance.
    expect(got).not.toEqual(values);
  });

  it('empty input runs nothing and succeeds', async () => {
    const cwd = tempDir({ 'empty.txt': '' });
    for (const args of [
      ['echo', 'x'],
      ['echo', '::::', 'empty.txt'],
      ['echo', ':::', 'a', '::::', 'empty.txt'],
    ]) {
      const r = await weft(['--joblog', 'jl', ...args], { cwd });
      expect(r).toMatchObject({ stdout: '', stderr: '', code: 0 });
    }
    const r = await weft(['touch', 'RAN'], { cwd });
    expect(r.code).toBe(0);
    expect(tempDirHas(cwd, 'RAN')).toBe(false);
  });
});

describe.concurrent('columns', () => {
  it('--colsep splits into {1} {2} ...', async () => {
    await expectOut(['-k', '--colsep', ',', 'echo', '{2}:{1}', ':::', 'a,b', 'c,d,e'], 'b:a\nd:c\n');
  });

  it('--colsep is a regex', async () => {
    await expectOut(['-k', '--colsep', '[,;]+', 'echo', '{3}:{1}', ':::', 'a,,b;c'], 'c:a\n');
  });

  it('--colsep with {} gives all columns as separate words', async () => {
    await expectOut(['-k', '--colsep', ',', 'printf', '"<%s>"', '{}', ':::', 'a b,c'], '<a b><c>');
  });

  it('--csv keeps quoted commas and quoted newlines in one field', async () => {
    const cwd = tempDir({ 'c.csv': 'id,text\n1,"hello, world"\n2,"multi\nline"\n3,plain\n' });
    await expectOut(
      ['-k', '--csv', 'echo', '[{1}]', '[{2}]', '::::', 'c.csv'],
      '[id] [text]\n[1] [hello, world]\n[2] [multi\nline]\n[3] [plain]\n',
      { cwd },
    );
  });

  it('--csv with "" escapes', async () => {
    await expectOut(['-k', '--csv', 'echo', '[{2}]', ':::', 'a,"say ""hi"""'], '[say "hi"]\n');
  });

  it('--csv --header : names the columns', async () => {
    const cwd = tempDir({ 'c.csv': 'id,text\n1,"hello, world"\n2,"multi\nline"\n' });
    await expectOut(
      ['-k', '--csv', '--header', ':', 'echo', '{text}={id}', '::::', 'c.csv'],
      'hello, world=1\nmulti\nline=2\n',
      { cwd },
    );
  });

  it('--header : with a TSV file: {name} columns, header not run', async () => {
    const cwd = tempDir({ 't.tsv': 'name\tage\nann\t31\nbob\t42\n' });
    await expectOut(
      ['-k', '--header', ':', 'echo', '{name}', 'is', '{age}', '::::', 't.tsv'],
      'ann is 31\nbob is 42\n',
      {
        cwd,
      },
    );
  });

  it('--header : with ::: sources: the first value names each source', async () => {
    await expectOut(
      ['-k', '--header', ':', 'echo', '{b}-{a}', ':::', 'a', '1', '2', ':::', 'b', 'X', 'Y'],
      'X-1\nY-1\nX-2\nY-2\n',
    );
  });

  it('--header : with --colsep', async () => {
    await expectOut(
      ['-k', '--header', ':', '--colsep', ',', 'echo', '{y}/{x}', ':::', 'x,y', '1,2'],
      '2/1\n',
    );
  });
});

describe.concurrent('replacement strings end to end', () => {
  it('{} {.} {/} {//} {/.}', async () => {
    await expectOut(
      ['-k', 'echo', '{}', '{.}', '{/}', '{//}', '{/.}', ':::', 'a/b.c/d.tar.gz', 'plain'],
      'a/b.c/d.tar.gz a/b.c/d.tar d.tar.gz a/b.c d.tar\nplain plain plain . plain\n',
    );
  });

  it('{.} and {/.} strip a trailing dot (GNU: s:\\.[^/.]*$::)', async () => {
    await expectOut(['-k', 'echo', '{.}', '{/.}', ':::', 'a.', 'd/b.c.'], 'a a\nd/b.c b.c\n');
  });

  it('{//} of a top-level path is / (GNU parallel, Perl dirname)', async () => {
    await expectOut(['-k', 'echo', '[{//}]', ':::', '/x.y', '/'], '[/]\n[/]\n');
  });

  it('{#} is the job sequence number, {%} the slot', async () => {
    await expectOut(['-k', '-j1', 'echo', '{#}', '{%}', ':::', 'a', 'b', 'c'], '1 1\n2 1\n3 1\n');
  });

  it('positional {1} {2.} {3/} {1//} {2/.}', async () => {
    await expectOut(
      ['-k', 'echo', '{1}', '{2.}', '{3/}', '{1//}', '{2/.}', ':::', 'a/b.c', ':::', 'd/e.f', ':::', 'g/h.i'],
      'a/b.c d/e h.i a e\n',
    );
  });

  it('-I STR replaces STR instead of {}', async () => {
    await expectOut(['-k', '-I', 'XX', 'echo', 'XX', '{}', ':::', 'a', 'b'], 'a {}\nb {}\n');
    await expectOut(['-k', '-I', ',,', 'echo', ',,/{.}', ':::', 'a.b'], 'a.b/a\n');
  });

  it('{} is appended when the command has no replacement string', async () => {
    await expectOut(['-k', 'echo', 'x', ':::', 'a b'], 'x a b\n');
    await expectOut(['-k', '-I', 'XX', 'echo', ':::', 'a'], 'a\n');
  });

  it('a value is one word even with spaces (quoted), the command is shell text', async () => {
    await expectOut(['-k', 'printf', '"<%s>\\n"', ':::', 'a  b'], '<a  b>\n');
    await expectOut(['-k', 'echo $((1+2)) {} |', 'tr 3 X', ':::', 'y'], 'X y\n');
  });

  it('-q quotes the command: no shell interpretation', async () => {
    await expectOut(['-k', '-q', 'printf', '%s|%s\\n', 'a b', ':::', 'c d'], 'a b|c d\n');
    await expectOut(['-k', '-q', 'sh', '-c', 'echo "$0"', ':::', 'x;y'], 'x;y\n');
  });

  it('-X repeats the word around {} per argument; -m puts them in one word', async () => {
    await expectOut(['-k', '-j1', '-X', 'echo', 'x{}y', ':::', 'a', 'b', 'c'], 'xay xby xcy\n');
    await expectOut(['-k', '-j1', '-m', 'echo', 'x{}y', ':::', 'a', 'b', 'c'], 'xa b cy\n');
    await expectOut(['-k', '-j1', '-X', 'echo', '{.}', ':::', 'a.x', 'b c.y'], 'a b c\n');
  });

  it('-X / -m spread the arguments over the job slots', async () => {
    await expectOut(
      ['-k', '-j2', '-X', 'echo', 'x{}y', ':::', 'a', 'b', 'c', 'd', 'e'],
      'xay xby xcy\nxdy xey\n',
    );
    await expectOut(['-k', '-j3', '-m', 'echo', ':::', '1', '2', '3', '4', '5', '6'], '1 2\n3 4\n5 6\n');
  });

  it('-n N: at most N arguments per job', async () => {
    await expectOut(['-k', '-n', '2', 'echo', ':::', 'a', 'b', 'c', 'd', 'e'], 'a b\nc d\ne\n');
    await expectOut(['-k', '--max-args', '3', 'echo', '{1}-{3}', ':::', 'a', 'b', 'c', 'd'], 'a-c\nd-\n');
  });

  it('-n 0 runs the command once per argument with no argument (GNU parallel)', async () => {
    await expectOut(['-k', '-n', '0', 'echo', 'x', ':::', 'a', 'b'], 'x\nx\n');
  });

  it('-N N: exactly N arguments, {1}..{N}, missing ones empty', async () => {
    await expectOut(['-k', '-N', '2', 'echo', '{1}-{2}', ':::', 'a', 'b', 'c', 'd', 'e'], 'a-b\nc-d\ne-\n');
    await expectOut(['-k', '-N2', 'echo', ':::', 'a', 'b', 'c'], 'a b\nc\n');
  });

  it('-L N: N input lines per job', async () => {
    await expectOut(['-k', '-L', '2', 'echo'], 'a b c d\ne f\n', { stdin: 'a b\nc d\ne f\n' });
    await expectOut(['-k', '-L', '1', 'echo', '{1}+{2}'], 'a b+\nc d+\n', { stdin: 'a b\nc d\n' });
  });

  it('--plus {##} {0#} {..} {+.} {+/} {/..}', async () => {
    await expectOut(
      [
        '-k',
        '--plus',
        'echo',
        '{##}',
        '{0#}',
        '{..}',
        '{+.}',
        '{+/}',
        '{/..}',
        ':::',
        'a/b.tar.gz',
        'x/c.d.e',
      ],
      '2 1 a/b gz a b\n2 2 x/c e x c\n',
    );
  });

  // GNU: '{+/}' => 's:/[^/]*$:: || s:.*$::' (empty without a slash), '{..}' => 's:\.[^/.]*\.[^/.]*$::'
  // (unchanged with one extension), '{+..}' => 's:.*\.([^/.]*\.[^/.]*)$:$1: || s:.*$::'.
  it('--plus {+/} {..} {+..} on names with fewer parts behave as in GNU parallel', async () => {
    await expectOut(['-k', '--plus', 'echo', '[{+/}]', '[{..}]', '[{+..}]', ':::', 'c.d'], '[] [c.d] []\n');
  });

  it('--plus {0#} pads to the width of the job count', async () => {
    const values = Array.from({ length: 10 }, (_, i) => String(i));
    const r = await weft(['-k', '--plus', 'echo', '{0#}', ':::', ...values]);
    expect(lines(r.stdout)).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10']);
  });

  it('--plus {0%} pads the slot to the width of -j (GNU: -j10 gives 01)', async () => {
    await expectOut(['-k', '--plus', '-j10', 'echo', '{0%}', ':::', 'a'], '01\n');
  });

  it('--dry-run prints the commands, runs nothing', async () => {
    const cwd = tempDir();
    const r = await weft(['-k', '--dry-run', 'touch', '{}', ':::', 'a b', "c'd", 'PLAIN'], { cwd });
    expect(r).toMatchObject({ stdout: `touch 'a b'\ntouch 'c'"'"'d'\ntouch PLAIN\n`, stderr: '', code: 0 });
    expect(tempDirHas(cwd, 'PLAIN')).toBe(false);
  });

  it('--dry-run with {#} and -n', async () => {
    await expectOut(
      ['-k', '--dry-run', '-n2', 'cmd', '{#}', '{}', ':::', 'a', 'b', 'c'],
      'cmd 1 a b\ncmd 2 c\n',
    );
  });
});
