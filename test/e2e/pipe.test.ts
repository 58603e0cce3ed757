import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, tempDir, weft } from './helpers.js';

const seq = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

/** Each job prints its stdin as [line,line,...]. */
const SHOW = 'echo "[$(paste -sd, -)]"';

describe.concurrent('--pipe', () => {
  it('-N3: chunks of 3 lines', async () => {
    const r = await weft(['--pipe', '-N3', '-k', SHOW], { stdin: seq(1, 10) });
    expect(r).toMatchObject({ stdout: '[1,2,3]\n[4,5,6]\n[7,8,9]\n[10]\n', stderr: '', code: 0 });
  });

  it('--spreadstdin is an alias', async () => {
    const r = await weft(['--spreadstdin', '-N5', '-k', SHOW], { stdin: seq(1, 10) });
    expect(r.stdout).toBe('[1,2,3,4,5]\n[6,7,8,9,10]\n');
  });

  it('--block: chunks of about that many bytes, cut at line ends (README example)', async () => {
    const r = await weft(['--pipe', '--block', '1k', '-k', 'wc', '-l'], { stdin: seq(1, 1000) });
    expect(lines(r.stdout).map(Number)).toEqual([277, 250, 250, 223]);
  });

  it('--block 5 with 2-3 byte lines', async () => {
    const r = await weft(['--pipe', '--block', '5', '-k', SHOW], { stdin: seq(1, 10) });
    expect(r.stdout).toBe('[1,2]\n[3,4]\n[5,6]\n[7,8]\n[9,10]\n');
  });

  it('the default block (1M) keeps small input in one job', async () => {
    const r = await weft(['--pipe', '-k', 'wc', '-l'], { stdin: seq(1, 1000) });
    expect(r.stdout.trim()).toBe('1000');
  });

  it('README example: seq 1000 | weft --pipe -N250 -k awk sum', async () => {
    const r = await weft(['--pipe', '-N250', '-k', "awk '{s+=$1} END {print s}'"], { stdin: seq(1, 1000) });
    expect(r.stdout).toBe('31375\n93875\n156375\n218875\n');
  });

  it('nothing is lost or duplicated with several MB and many jobs', async () => {
    const input = seq(1, 300_000);
    const r = await weft(
      ['--pipe', '--block', '100k', '-k', 'awk \'{s+=$1; n++} END {printf "%d %.0f\\n", n, s}\''],
      {
        stdin: input,
      },
    );
    const rows = lines(r.stdout).map((l) => l.split(' ').map(Number));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.reduce((a, [n]) => a + n, 0)).toBe(300_000);
    expect(rows.reduce((a, [, s]) => a + s, 0)).toBe((300_000 * 300_001) / 2);
  });

  it('--recstart: records start with ">" (FASTA), -N1 and -N2', async () => {
    const fasta = '>r1\nAAA\nCC\n>r2\nGG\n>r3\nTTTT\nA\n>r4\nC\n';
    const one = await weft(['--pipe', '-N1', '--recstart', '>', '-k', SHOW], { stdin: fasta });
    expect(one.stdout).toBe('[>r1,AAA,CC]\n[>r2,GG]\n[>r3,TTTT,A]\n[>r4,C]\n');
    const two = await weft(['--pipe', '-N2', '--recstart', '>', '-k', SHOW], { stdin: fasta });
    expect(two.stdout).toBe('[>r1,AAA,CC,>r2,GG]\n[>r3,TTTT,A,>r4,C]\n');
  });

  it('--recend: records end with ";"', async () => {
    const r = await weft(['--pipe', '-N2', '--recend', ';', '-k', 'cat; echo'], { stdin: 'a;b;c;d;' });
    expect(r.stdout).toBe('a;b;\nc;d;\n');
  });

  it('--regexp --recstart', async () => {
    const r = await weft(['--pipe', '--regexp', '--recstart', 'r\\d', '-N1', '-k', SHOW], {
      stdin: 'r1 a\nx\nr2 b\nr3 c\ny\n',
    });
    expect(r.stdout).toBe('[r1 a,x]\n[r2 b]\n[r3 c,y]\n');
  });

  it('--header : repeats the first line in every chunk', async () => {
    const r = await weft(['--pipe', '-N2', '--header', ':', '-k', SHOW], {
      stdin: 'HEADER\nl1\nl2\nl3\nl4\nl5\n',
    });
    expect(r.stdout).toBe('[HEADER,l1,l2]\n[HEADER,l3,l4]\n[HEADER,l5]\n');
  });

  it('--header 2 repeats two lines; --header REGEX takes what matches', async () => {
    const two = await weft(['--pipe', '-N2', '--header', '2', '-k', SHOW], { stdin: 'H\nH2\nl1\nl2\nl3\n' });
    expect(two.stdout).toBe('[H,H2,l1,l2]\n[H,H2,l3]\n');
    const re = await weft(['--pipe', '-N1', '--header', '(#.*\\n)+', '-k', SHOW], {
      stdin: '#a\n#b\nx\ny\n',
    });
    expect(re.stdout).toBe('[#a,#b,x]\n[#a,#b,y]\n');
  });

  it('{#} is the chunk number; no argument is appended to the command', async () => {
    const r = await weft(['--pipe', '-N2', '-k', 'echo', 'chunk'], { stdin: 'a\nb\nc\n' });
    expect(r.stdout).toBe('chunk\nchunk\n');
    const n = await weft(['--pipe', '-N2', '-k', 'echo {#}: $(paste -sd, -)'], { stdin: 'a\nb\nc\n' });
    expect(n.stdout).toBe('1: a,b\n2: c\n');
  });

  it('empty stdin runs no job', async () => {
    const r = await weft(['--pipe', 'echo ran'], { stdin: '' });
    expect(r).toMatchObject({ stdout: '', stderr: '', code: 0 });
  });

  it('a failing chunk job counts toward the exit status', async () => {
    const r = await weft(['--pipe', '-N1', 'grep -q b'], { stdin: 'a\nb\nc\n' });
    expect(r.code).toBe(2);
  });

  it('binary-safe: bytes pass through unchanged', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const input = Buffer.concat([bytes, Buffer.from('\n'), bytes, Buffer.from('\n')]);
    const r = await weft(['--pipe', '-k', 'od -An -tx1 | tr -d " \\n" | wc -c'], { stdin: input });
    expect(r.stdout.trim()).toBe(String(input.length * 2));
  });

  // weft --help: "-L N ... in pipe mode, records of N lines"; GNU parallel then cuts by block
  // size: `seq 6 | parallel --pipe -L3 ...` gives one job with all six lines.
  it('-L3 in pipe mode makes 3-line records, chunked by block size (GNU parallel)', async () => {
    const r = await weft(['--pipe', '-L3', '-k', SHOW], { stdin: seq(1, 6) });
    expect(r.stdout).toBe('[1,2,3,4,5,6]\n');
  });
});

describe.concurrent('--pipepart', () => {
  const files = () => {
    const cwd = tempDir({ 'hdr.txt': 'HEADER\nl1\nl2\nl3\nl4\nl5\n' });
    writeFileSync(join(cwd, 'n1000'), seq(1, 1000));
    return cwd;
  };

  it('--pipepart -a FILE --block 1k: record-aligned parts', async () => {
    const r = await weft(['--pipepart', '-a', 'n1000', '--block', '1k', '-k', 'wc', '-l'], { cwd: files() });
    expect(lines(r.stdout).map(Number)).toEqual([278, 251, 251, 220]);
    expect(r.code).toBe(0);
  });

  it('the parts hold every line exactly once', async () => {
    const r = await weft(['--pipepart', '-a', 'n1000', '--block', '300', '-k', 'cat'], { cwd: files() });
    expect(r.stdout).toBe(seq(1, 1000));
  });

  it('--block -2 with -j2: two parts per job slot', async () => {
    const r = await weft(['--pipepart', '-a', 'n1000', '--block', '-2', '-j2', '-k', 'wc', '-l'], {
      cwd: files(),
    });
    expect(lines(r.stdout).map(Number)).toEqual([271, 244, 244, 241]);
  });

  it('--header : repeats the header in every part', async () => {
    const r = await weft(['--pipepart', '-a', 'hdr.txt', '--header', ':', '--block', '6', '-k', SHOW], {
      cwd: files(),
    });
    expect(r.stdout).toBe('[HEADER,l1,l2,l3]\n[HEADER,l4,l5]\n');
  });

  it('--pipepart on an empty file runs nothing', async () => {
    const cwd = tempDir({ empty: '' });
    const r = await weft(['--pipepart', '-a', 'empty', 'echo ran'], { cwd });
    expect(r).toMatchObject({ stdout: '', code: 0 });
  });

  it('--pipepart with a file whose last line has no newline (as GNU parallel)', async () => {
    const cwd = tempDir({ f: 'a\nb\nc' });
    const r = await weft(['--pipepart', '-a', 'f', '--block', '2', '-k', SHOW], { cwd });
    expect(r.stdout).toBe('[a,b]\n[c]\n');
  });
});
