// weft's format-aware pipe mode, end to end: --format csv|tsv|json|ndjson|lines, --records,
// --block, --key, --overlap, --window, --emit, --on-bad-record, gzip input. Each chunk's job
// reports what it received (test/e2e/formats/jobs.ts), so every chunk is checked on its own.
// Aggregation (--aggregate, --reduce, --map) is in test/e2e/formats/aggregate.test.ts.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEFT, lines, tempDir, weft, type WeftResult } from './helpers.js';
import { makeCsv, makeObjects, range, seq } from './formats/data.js';
import { chunks, jobScripts, type CsvChunk, type JsonChunk, type NdjsonChunk } from './formats/jobs.js';

const jobs = jobScripts();
const ids = (from: number, to: number) => range(from, to).map(String);

/** weft's own errors: exit 255 and exactly one `weft: ...` line on stderr. */
function expectOneLineError(r: WeftResult, pattern: RegExp): void {
  expect(r.code).toBe(255);
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(/^weft: /);
  expect(r.stderr).toMatch(pattern);
}

/** Checks CSV/TSV chunk reports against the generated records: header, sizes, ids, decoded notes. */
function expectCsvChunks(got: CsvChunk[], data: ReturnType<typeof makeCsv>, sizes: number[]): void {
  expect(got.map((c) => c.n)).toEqual(sizes);
  let next = 0;
  for (const c of got) {
    expect(c.header).toBe('id|kind|note');
    expect(c.open).toBe(false);
    expect(c.fields.every((f) => f === 3)).toBe(true);
    const want = data.records.slice(next, next + c.n);
    expect(c.ids).toEqual(want.map((r) => r.id));
    expect(c.notes).toEqual(want.map((r) => r.note));
    next += c.n;
  }
  expect(next).toBe(data.records.length);
}

describe.concurrent('--format csv / tsv', () => {
  it('header on every chunk, quoted newlines/commas/quotes never split (:::: FILE, format from .csv)', async () => {
    const data = makeCsv(20);
    const cwd = tempDir({ 'data.csv': data.text });
    const r = await weft(['--records', '3', '-k', jobs.csv(), '::::', 'data.csv'], { cwd });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expectCsvChunks(chunks<CsvChunk>(r.stdout), data, [3, 3, 3, 3, 3, 3, 2]);
  });

  it('stdin with --format csv and CRLF line ends (quoted CRLF kept inside its record)', async () => {
    const data = makeCsv(20, { eol: '\r\n' });
    const r = await weft(['--format', 'csv', '--records', '7', '-k', jobs.csv()], { stdin: data.text });
    expect(r.code).toBe(0);
    const got = chunks<CsvChunk>(r.stdout);
    expectCsvChunks(got, data, [7, 7, 6]);
  });

  it('--block: chunks as full as the byte budget allows, records never cut', async () => {
    const data = makeCsv(30);
    const cwd = tempDir({ 'data.csv': data.text });
    const block = 150;
    const r = await weft(['--block', String(block), '--format', 'csv', '-a', 'data.csv', '-k', jobs.csv()], {
      cwd,
    });
    expect(r.code).toBe(0);
    const got = chunks<CsvChunk>(r.stdout);
    expect(got.length).toBeGreaterThanOrEqual(4);
    expectCsvChunks(
      got,
      data,
      got.map((c) => c.n),
    );
    let next = 0;
    for (const c of got) {
      const raw = data.records.slice(next, next + c.n).map((rec) => Buffer.byteLength(rec.raw));
      const bytes = raw.reduce((a, b) => a + b, 0);
      expect(c.bytes).toBe(bytes); // header excluded
      if (c.n > 1) expect(bytes).toBeLessThanOrEqual(block);
      next += c.n;
      // Greedy: the next record would not have fitted.
      if (next < data.records.length) {
        expect(bytes + Buffer.byteLength(data.records[next].raw)).toBeGreaterThan(block);
      }
    }
  });

  it('--block: a record bigger than the block makes a chunk of its own', async () => {
    const big = `"${'x'.repeat(300)}\n${'y'.repeat(300)}"`;
    const text = `id,kind,note\n1,a,one\n2,b,${big}\n3,c,three\n4,d,four\n`;
    const r = await weft(['--format', 'csv', '--block', '100', '-k', jobs.csv()], { stdin: text });
    expect(r.code).toBe(0);
    const got = chunks<CsvChunk>(r.stdout);
    expect(got.map((c) => c.ids)).toEqual([['1'], ['2'], ['3', '4']]);
    expect(got.every((c) => c.header === 'id|kind|note' && !c.open)).toBe(true);
  });

  it('TSV (format from .tsv): header on every chunk, quoted tabs and newlines kept', async () => {
    const data = makeCsv(10, { sep: '\t' });
    const cwd = tempDir({ 'data.tsv': data.text });
    const r = await weft(['--records', '4', '-a', 'data.tsv', '-k', jobs.tsv()], { cwd });
    expect(r.code).toBe(0);
    expectCsvChunks(chunks<CsvChunk>(r.stdout), data, [4, 4, 2]);
  });

  it('--format lines overrides the extension: a .csv read as plain lines (no header repeat)', async () => {
    const cwd = tempDir({ 'data.csv': 'h\n1\n2\n3\n' });
    const r = await weft(['--format', 'lines', '--records', '2', '-a', 'data.csv', '-k', 'paste -sd"|" -'], {
      cwd,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'h|1\n2|3\n' });
  });
});

describe.concurrent('--format json / ndjson, --emit', () => {
  const objs = makeObjects(10);

  it('a JSON array (format from .json): every chunk is a valid JSON array, nothing lost', async () => {
    const cwd = tempDir({ 'data.json': JSON.stringify(objs, null, 2) + '\n' });
    const r = await weft(['--records', '4', '-a', 'data.json', '-k', jobs.json()], { cwd });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const got = chunks<JsonChunk>(r.stdout);
    expect(got.map((c) => [c.array, c.n])).toEqual([
      [true, 4],
      [true, 4],
      [true, 2],
    ]);
    expect(got.flatMap((c) => c.elements)).toEqual(objs);
  });

  it('JSON --block from stdin: each chunk an array within the byte budget', async () => {
    const many = makeObjects(40);
    const r = await weft(['--format', 'json', '--block', '400', '-k', jobs.json()], {
      stdin: JSON.stringify(many),
    });
    expect(r.code).toBe(0);
    const got = chunks<JsonChunk>(r.stdout);
    expect(got.length).toBeGreaterThanOrEqual(5);
    for (const c of got) {
      expect(c.array).toBe(true);
      if (c.n > 1) expect(c.bytes).toBeLessThanOrEqual(400 + 2); // + '[' and ']'
    }
    expect(got.flatMap((c) => c.elements)).toEqual(many);
  });

  it('--emit ndjson: each chunk one compact JSON value per line', async () => {
    const r = await weft(['--format', 'json', '--emit', 'ndjson', '--records', '4', '-k', jobs.ndjson()], {
      stdin: JSON.stringify(objs, null, 4),
    });
    expect(r.code).toBe(0);
    const got = chunks<NdjsonChunk>(r.stdout);
    expect(got.map((c) => c.n)).toEqual([4, 4, 2]);
    expect(got.every((c) => c.bad === 0 && c.compact && c.endsWithNewline)).toBe(true);
    expect(got.flatMap((c) => c.values)).toEqual(objs);
  });

  it('--emit json is the default for JSON input; --emit ndjson --format csv is refused', async () => {
    const ok = await weft(['--format', 'json', '--emit', 'json', '--records', '5', '-k', jobs.json()], {
      stdin: JSON.stringify(objs),
    });
    expect(chunks<JsonChunk>(ok.stdout).map((c) => [c.array, c.n])).toEqual([
      [true, 5],
      [true, 5],
    ]);
    const bad = await weft(['--format', 'csv', '--emit', 'ndjson', 'cat'], { stdin: 'a\n1\n' });
    expectOneLineError(bad, /--emit/);
  });

  it('an empty JSON array runs no job', async () => {
    const r = await weft(['--format', 'json', '--records', '2', 'echo job'], { stdin: ' [ ]\n' });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('NDJSON (format from .ndjson): --records cuts at line ends; last line without newline kept', async () => {
    const text = objs
      .slice(0, 8)
      .map((o) => JSON.stringify(o))
      .join('\n');
    const cwd = tempDir({ 'data.ndjson': text });
    const r = await weft(['--records', '3', '-a', 'data.ndjson', '-k', jobs.ndjson()], { cwd });
    expect(r.code).toBe(0);
    const got = chunks<NdjsonChunk>(r.stdout);
    expect(got.map((c) => c.ids)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    expect(got.flatMap((c) => c.values)).toEqual(objs.slice(0, 8));
  });

  it('.jsonl is NDJSON too (so --key works on it)', async () => {
    const text = objs.map((o) => JSON.stringify(o) + '\n').join('');
    const cwd = tempDir({ 'data.jsonl': text });
    const r = await weft(['--key', 'k', '-a', 'data.jsonl', jobs.ndjson('k')], { cwd });
    expect(r.code).toBe(0);
    expect(
      chunks<NdjsonChunk>(r.stdout)
        .flatMap((c) => c.ids)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(range(1, 10));
  });
});

describe.concurrent('--format lines, --records, --block', () => {
  it('--format lines --records 4 from stdin', async () => {
    const r = await weft(['--format', 'lines', '--records', '4', '-k', 'paste -sd, -'], {
      stdin: seq(1, 10),
    });
    expect(r).toMatchObject({ code: 0, stdout: '1,2,3,4\n5,6,7,8\n9,10\n', stderr: '' });
  });

  it('--records alone implies pipe mode with lines from stdin', async () => {
    const r = await weft(['--records', '3', '-k', 'paste -sd, -'], { stdin: '1\n2\n3\n4\n5' });
    expect(r).toMatchObject({ code: 0, stdout: '1,2,3\n4,5\n' });
  });

  it('--block on lines: greedy byte budget, cut at line ends', async () => {
    const input = seq(1, 40); // 9 two-byte lines, then three-byte lines
    const r = await weft(['--format', 'lines', '--block', '20', '-k', 'paste -sd, -'], { stdin: input });
    expect(r.code).toBe(0);
    const got = lines(r.stdout).map((l) => l.split(','));
    expect(got.flat()).toEqual(ids(1, 40));
    for (let i = 0; i < got.length; i++) {
      const bytes = got[i].reduce((a, n) => a + n.length + 1, 0);
      expect(bytes).toBeLessThanOrEqual(20);
      if (i + 1 < got.length) expect(bytes + got[i + 1][0].length + 1).toBeGreaterThan(20);
    }
  });

  it('several -a files: each is cut by itself, in order; a chunk never spans two', async () => {
    const cwd = tempDir({ 'one.txt': 'a\nb\n', 'two.txt': 'c\n' });
    const r = await weft(['--format', 'lines', '-k', '-a', 'one.txt', '-a', 'two.txt', 'paste -sd,'], {
      cwd,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'a,b\nc\n' });
  });

  it("several CSV files (one gzipped): each chunk has its own file's header", async () => {
    const cwd = tempDir({
      'a.csv': 'id,x\n1,"p\nq"\n2,r\n3,s\n',
      'b.csv.gz': gzipSync('num,y\n7,t\n'),
    });
    const r = await weft(['--records', '2', '-k', '-a', 'a.csv', '-a', 'b.csv.gz', 'cat; echo --'], { cwd });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('id,x\n1,"p\nq"\n2,r\n--\nid,x\n3,s\n--\nnum,y\n7,t\n--\n');
  });

  it('--key with several -a files is refused: a key partitions one input', async () => {
    const cwd = tempDir({ 'a.csv': 'id\n1\n', 'b.csv': 'id\n2\n' });
    expectOneLineError(await weft(['--key', 'id', '-a', 'a.csv', '-a', 'b.csv', 'cat'], { cwd }), /--key/);
  });

  it('a missing -a file is a one-line error', async () => {
    expectOneLineError(await weft(['--format', 'csv', '-a', 'nope.csv', 'cat']), /nope\.csv/);
  });

  it('bad --records / --block values are one-line errors', async () => {
    expectOneLineError(await weft(['--records', '0', 'cat'], { stdin: 'a\n' }), /--records/);
    expectOneLineError(await weft(['--format', 'lines', '--block', '0', 'cat'], { stdin: 'a\n' }), /--block/);
    expectOneLineError(await weft(['--format', 'xml', 'cat'], { stdin: 'a\n' }), /xml/);
  });
});

describe.concurrent('gzip input', () => {
  it('.csv.gz file: decompressed, format from the name under .gz', async () => {
    const data = makeCsv(10);
    const cwd = tempDir({ 'data.csv.gz': gzipSync(data.text) });
    const r = await weft(['--records', '4', '-a', 'data.csv.gz', '-k', jobs.csv()], { cwd });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expectCsvChunks(chunks<CsvChunk>(r.stdout), data, [4, 4, 2]);
  });

  it('gzip data on stdin is recognised by its magic bytes (--format ndjson)', async () => {
    const objs = makeObjects(5);
    const r = await weft(['--format', 'ndjson', '--records', '2', '-k', jobs.ndjson()], {
      stdin: gzipSync(objs.map((o) => JSON.stringify(o) + '\n').join('')),
    });
    expect(r.code).toBe(0);
    expect(chunks<NdjsonChunk>(r.stdout).map((c) => c.ids)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('gzip on stdin, lines (no --format)', async () => {
    const r = await weft(['--records', '3', '-k', 'paste -sd, -'], { stdin: gzipSync(seq(1, 7)) });
    expect(r).toMatchObject({ code: 0, stdout: '1,2,3\n4,5,6\n7\n' });
  });

  it('a .gz file that is not gzip: one-line error, 255', async () => {
    const cwd = tempDir({ 'data.csv.gz': 'id\n1\n' });
    expectOneLineError(await weft(['--records', '1', '-a', 'data.csv.gz', 'cat'], { cwd }), /gzip/);
  });
});

/** No key in two chunks' outputs; returns the keys each chunk saw. */
function expectDisjointKeys(keysPerChunk: unknown[][]): void {
  const seen = new Map<string, number>();
  keysPerChunk.forEach((keys, i) => {
    for (const k of keys) {
      const s = JSON.stringify(k);
      expect(seen.get(s), `key ${s} in chunks ${seen.get(s)} and ${i}`).toBeUndefined();
      seen.set(s, i);
    }
  });
}

describe.concurrent('--key', () => {
  it('CSV by column name: all records of a key in one chunk, no key in two chunks', async () => {
    const data = makeCsv(40);
    const cwd = tempDir({ 'data.csv': data.text });
    const r = await weft(['--key', 'kind', '-a', 'data.csv', jobs.csv(1)], { cwd });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const got = chunks<CsvChunk>(r.stdout);
    expect(got.every((c) => c.header === 'id|kind|note' && !c.open)).toBe(true);
    expectDisjointKeys(got.map((c) => c.keys));
    expect(got.flatMap((c) => c.keys).sort()).toEqual(['k0', 'k1', 'k2', 'k3']);
    expect(got.flatMap((c) => c.ids).sort((a, b) => Number(a) - Number(b))).toEqual(ids(1, 40));
    // Records keep their input order inside a chunk, and quoted newlines survive.
    for (const c of got) {
      expect(c.ids).toEqual([...c.ids].sort((a, b) => Number(a) - Number(b)));
      expect(c.notes).toEqual(c.ids.map((id) => data.records[Number(id) - 1].note));
    }
  });

  it('TSV by column number', async () => {
    const data = makeCsv(24, { sep: '\t' });
    const r = await weft(['--format', 'tsv', '--key', '2', jobs.tsv(1)], { stdin: data.text });
    expect(r.code).toBe(0);
    const got = chunks<CsvChunk>(r.stdout);
    expectDisjointKeys(got.map((c) => c.keys));
    expect(got.reduce((a, c) => a + c.n, 0)).toBe(24);
  });

  it('NDJSON by a dotted field, many keys: every key in exactly one chunk', async () => {
    const text = range(1, 1000)
      .map((i) => JSON.stringify({ id: i, user: { name: `user${(i * 37) % 101}` } }) + '\n')
      .join('');
    const r = await weft(['--format', 'ndjson', '--key', 'user.name', jobs.ndjson('user.name')], {
      stdin: text,
    });
    expect(r.code).toBe(0);
    const got = chunks<NdjsonChunk>(r.stdout);
    expect(got.length).toBeGreaterThan(1);
    expectDisjointKeys(got.map((c) => c.keys));
    expect(got.flatMap((c) => c.keys)).toHaveLength(101);
    expect(got.flatMap((c) => c.ids).sort((a, b) => Number(a) - Number(b))).toEqual(range(1, 1000));
  });

  it('JSON array by field: each partition chunk is a valid JSON array', async () => {
    const objs = makeObjects(30);
    const r = await weft(['--format', 'json', '--key', 'k', jobs.json('k')], {
      stdin: JSON.stringify(objs, null, 2),
    });
    expect(r.code).toBe(0);
    const got = chunks<JsonChunk>(r.stdout);
    expect(got.every((c) => c.array)).toBe(true);
    expectDisjointKeys(got.map((c) => c.keys));
    expect(
      got.flatMap((c) => c.elements).sort((a, b) => (a as { id: number }).id - (b as { id: number }).id),
    ).toEqual(objs);
  });

  it('an unknown column, or --key on lines, is a one-line error', async () => {
    expectOneLineError(
      await weft(['--format', 'csv', '--key', 'nope', 'cat'], { stdin: 'a,b\n1,2\n' }),
      /--key nope.*no such column/,
    );
    expectOneLineError(await weft(['--format', 'lines', '--key', '1', 'cat'], { stdin: 'a\n' }), /--key/);
  });
});

describe.concurrent('--overlap', () => {
  it('lines: the last N records of a chunk start the next one', async () => {
    const r = await weft(['--format', 'lines', '--records', '3', '--overlap', '1', '-k', 'paste -sd, -'], {
      stdin: seq(1, 8),
    });
    expect(r).toMatchObject({ code: 0, stdout: '1,2,3\n3,4,5,6\n6,7,8\n' });
  });

  it('CSV: the header first, then the repeated records', async () => {
    const data = makeCsv(10);
    const r = await weft(['--format', 'csv', '--records', '4', '--overlap', '2', '-k', jobs.csv()], {
      stdin: data.text,
    });
    expect(r.code).toBe(0);
    const got = chunks<CsvChunk>(r.stdout);
    expect(got.map((c) => c.ids)).toEqual([ids(1, 4), ids(3, 8), ids(7, 10)]);
    expect(got.every((c) => c.header === 'id|kind|note')).toBe(true);
    expect(got[1].notes).toEqual(data.records.slice(2, 8).map((rec) => rec.note));
  });

  it('JSON: chunks stay valid arrays with the repeated element', async () => {
    const objs = makeObjects(5);
    const r = await weft(['--format', 'json', '--records', '2', '--overlap', '1', '-k', jobs.json()], {
      stdin: JSON.stringify(objs),
    });
    expect(r.code).toBe(0);
    expect(chunks<JsonChunk>(r.stdout).map((c) => (c.array ? c.ids : 'not an array'))).toEqual([
      [1, 2],
      [2, 3, 4],
      [4, 5],
    ]);
  });
});

/** weft with a stdin the test writes to over time. */
function live(args: string[]) {
  const child = spawn(process.execPath, [WEFT, ...args], { cwd: tempDir(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let ended = false;
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.on('error', () => {});
  const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  const closed = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      ended = true;
      clearTimeout(killer);
      resolve(code);
    }),
  );
  return {
    stdin: child.stdin,
    out: () => stdout,
    err: () => stderr,
    closed,
    /**
     * Whether stdout came to satisfy `test` within `ms` while weft was still running. Never
     * throws, so that a test can close stdin (and let weft end) before it asserts.
     */
    async waitFor(test: (out: string) => boolean, ms = 20_000): Promise<boolean> {
      const until = Date.now() + ms;
      while (!test(stdout)) {
        if (ended || Date.now() > until) return false;
        await new Promise((r) => setTimeout(r, 25));
      }
      return true;
    },
  };
}

describe.concurrent('--window on a live stream', () => {
  it('lines: a partial chunk is processed while stdin is still open', async () => {
    const w = live(['--format', 'lines', '--window', '200ms', '-k', 'paste -sd, -']);
    w.stdin.write('a\nb\n');
    const early = await w.waitFor((out) => out.includes('a,b\n'));
    const open = !w.stdin.writableEnded;
    w.stdin.end('c\n');
    expect(await w.closed).toBe(0);
    expect({ early, open }).toEqual({ early: true, open: true });
    expect(w.out()).toBe('a,b\nc\n');
    expect(w.err()).toBe('');
  });

  it('NDJSON with a large --records: the window flushes it early, in pieces as lines come', async () => {
    const w = live(['--format', 'ndjson', '--records', '100', '--window', '0.2', '-k', jobs.ndjson()]);
    w.stdin.write('{"id":1}\n{"id":2}\n');
    const first = await w.waitFor((out) => lines(out).length >= 1);
    w.stdin.write('{"id":3}\n');
    const second = await w.waitFor((out) => lines(out).length >= 2);
    w.stdin.end('{"id":4}\n');
    expect(await w.closed).toBe(0);
    expect({ first, second }).toEqual({ first: true, second: true });
    expect(chunks<NdjsonChunk>(w.out()).map((c) => c.ids)).toEqual([[1, 2], [3], [4]]);
  });

  it('CSV: the windowed chunk has the header too', async () => {
    const w = live(['--format', 'csv', '--window', '200ms', '-k', jobs.csv()]);
    w.stdin.write('id,kind,note\n1,a,"x\n');
    w.stdin.write('y"\n');
    const early = await w.waitFor((out) => lines(out).length >= 1);
    w.stdin.end('2,b,z\n');
    expect(await w.closed).toBe(0);
    expect(early).toBe(true);
    const got = chunks<CsvChunk>(w.out());
    expect(got.map((c) => [c.header, c.ids, c.notes])).toEqual([
      ['id|kind|note', ['1'], ['x\ny']],
      ['id|kind|note', ['2'], ['z']],
    ]);
  });

  it('JSON array: the elements complete so far are flushed as a valid array', async () => {
    const w = live(['--format', 'json', '--window', '200ms', '-k', 'cat; echo']);
    // An element is complete once the comma after it has arrived.
    w.stdin.write('[{"id":1},{"id":2},{"id"');
    const early = await w.waitFor((out) => out.includes('\n'));
    w.stdin.end(':3}]');
    expect(await w.closed).toBe(0);
    expect(early).toBe(true);
    expect(w.out()).toBe('[{"id":1},{"id":2}]\n[{"id":3}]\n');
  });

  it('JSON array with --emit ndjson and --window', async () => {
    const w = live(['--format', 'json', '--emit', 'ndjson', '--window', '200ms', '-k', 'cat; echo --']);
    w.stdin.write('[\n {"id": 1},\n {"id": 2},\n');
    const early = await w.waitFor((out) => out.includes('--'));
    w.stdin.end(' {"id": 3}\n]\n');
    expect(await w.closed).toBe(0);
    expect(early).toBe(true);
    expect(w.out()).toBe('{"id":1}\n{"id":2}\n--\n{"id":3}\n--\n');
  });

  it('--window needs a duration', async () => {
    expectOneLineError(await weft(['--window', 'soon', 'cat'], { stdin: 'a\n' }), /--window/);
  });
});

describe.concurrent('--on-bad-record', () => {
  // Lines 2 and 4 are not JSON; with --key their key cannot be read.
  const NDJSON = '{"id":1,"k":"a"}\nnot json\n{"id":2,"k":"b"}\n{oops\n{"id":3,"k":"a"}\n';

  it('fail (default), CSV: unclosed quote is a one-line located error, exit 255', async () => {
    const text = 'id,kind,note\n1,a,x\n2,b,"y\nstill y"\n3,c,z\n4,d,"never closed\n5,e,w\n';
    const cwd = tempDir({ 'data.csv': text });
    const r = await weft(['--records', '2', '-a', 'data.csv', 'cat'], { cwd });
    expectOneLineError(r, /^weft: data\.csv:6: unclosed quote.*\(record 4, line 6, byte \d+\)/);
  });

  it('fail (default), JSON: invalid JSON is a one-line located error, exit 255', async () => {
    const r = await weft(['--format', 'json', 'cat'], { stdin: '[1,2,{]' });
    expectOneLineError(r, /^weft: stdin:1:\d+: invalid JSON/);
  });

  it('fail (default), NDJSON --key: an unparsable line is a one-line located error, exit 255', async () => {
    const r = await weft(['--format', 'ndjson', '--key', 'k', 'cat'], { stdin: NDJSON });
    expectOneLineError(r, /^weft: stdin:2: invalid JSON.*\(record 2, line 2, byte 17\)/);
  });

  it('skip: the bad records are dropped and counted on stderr, exit 0', async () => {
    const r = await weft(['--format', 'ndjson', '--key', 'k', '--on-bad-record', 'skip', jobs.ndjson()], {
      stdin: NDJSON,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('weft: skipped 2 bad record(s)\n');
    const got = chunks<NdjsonChunk>(r.stdout);
    expect(got.every((c) => c.bad === 0)).toBe(true);
    expect(got.flatMap((c) => c.ids).sort()).toEqual([1, 2, 3]);
  });

  it('skip, CSV: a row without the key column and an unclosed quote', async () => {
    const text = 'id,kind,note\n1,a,x\n2\n3,c,z\n4,d,"never closed\n5,e,w\n';
    const r = await weft(['--format', 'csv', '--key', 'kind', '--on-bad-record', 'skip', jobs.csv()], {
      stdin: text,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('weft: skipped 2 bad record(s)\n');
    expect(
      chunks<CsvChunk>(r.stdout)
        .flatMap((c) => c.ids)
        .sort(),
    ).toEqual(['1', '3']);
  });

  it('quarantine:FILE: the bad records go to FILE, the rest is processed, exit 0', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--format', 'ndjson', '--key', 'k', '--on-bad-record', 'quarantine:bad.txt', jobs.ndjson()],
      { cwd, stdin: NDJSON },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('weft: quarantined 2 bad record(s)\n');
    expect(readFileSync(join(cwd, 'bad.txt'), 'utf8')).toBe('not json\n{oops\n');
    expect(
      chunks<NdjsonChunk>(r.stdout)
        .flatMap((c) => c.ids)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it('quarantine, CSV: the whole unclosed record (all its lines) goes to the file', async () => {
    const cwd = tempDir({ 'data.csv': 'id,kind,note\n1,a,x\n2,b,"open\nmore\n' });
    const r = await weft(['--on-bad-record', 'quarantine:q.csv', '-a', 'data.csv', jobs.csv()], { cwd });
    expect(r.code).toBe(0);
    expect(readFileSync(join(cwd, 'q.csv'), 'utf8')).toBe('2,b,"open\nmore\n');
    expect(chunks<CsvChunk>(r.stdout).map((c) => c.ids)).toEqual([['1']]);
  });

  it('quarantine: no file is created when every record is good', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--format', 'ndjson', '--key', 'k', '--on-bad-record', 'quarantine:bad.txt', 'cat'],
      {
        cwd,
        stdin: '{"k":1}\n',
      },
    );
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(cwd, 'bad.txt'))).toBe(false);
  });

  it('an unknown policy is a one-line error', async () => {
    expectOneLineError(
      await weft(['--format', 'lines', '--on-bad-record', 'ignore', 'cat'], { stdin: 'a\n' }),
      /--on-bad-record/,
    );
  });
});
