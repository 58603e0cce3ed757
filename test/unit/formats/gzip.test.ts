import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { formatChunks, formatFromPath, gunzipIfNeeded } from '../../../src/chunk/formats/index.js';
import { cut, opts, stream } from './helpers.js';

async function collect(s: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of s) parts.push(b);
  return Buffer.concat(parts);
}

describe('formatFromPath', () => {
  it('maps extensions, ignoring a trailing .gz', () => {
    expect(formatFromPath('a.csv')).toBe('csv');
    expect(formatFromPath('dir.x/A.TSV')).toBe('tsv');
    expect(formatFromPath('a.json.gz')).toBe('json');
    expect(formatFromPath('a.ndjson')).toBe('ndjson');
    expect(formatFromPath('a.jsonl.gz')).toBe('ndjson');
    expect(formatFromPath('a.txt')).toBe('lines');
    expect(formatFromPath('stdin')).toBe('lines');
    expect(formatFromPath('a.gz')).toBe('lines');
  });
});

describe('gunzipIfNeeded', () => {
  let dir = '';
  const csv = 'id,text\n' + Array.from({ length: 500 }, (_, i) => `${i},"line ${i}\nwith, comma"\n`).join('');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weft-gz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decompresses a .gz file and chunks it by the inner format', async () => {
    const path = join(dir, 'data.csv.gz');
    await writeFile(path, gzipSync(csv));
    const input = gunzipIfNeeded(path, createReadStream(path, { highWaterMark: 1024 }));
    const chunks = [];
    for await (const c of formatChunks(
      input,
      opts({ format: formatFromPath(path), records: 100, name: path }),
    )) {
      chunks.push(c);
    }
    expect(chunks.length).toBe(5);
    expect(chunks.every((c) => c.data.toString().startsWith('id,text\n'))).toBe(true);
    expect('id,text\n' + chunks.map((c) => c.data.toString().slice(8)).join('')).toBe(csv);
  });

  it('sniffs the gzip magic bytes on stdin, even split across reads', async () => {
    const gz = gzipSync(csv);
    expect((await collect(gunzipIfNeeded('stdin', stream(cut(gz, [1, 2, 50]))))).toString()).toBe(csv);
    expect(await collect(gunzipIfNeeded('-', stream(cut(gz, [7]))))).toEqual(Buffer.from(csv));
  });

  it('passes other input through untouched, files are never sniffed', async () => {
    const raw = Buffer.from([0x1f, 0x8b, 0xff, 0x0a, 0x00]);
    expect(await collect(gunzipIfNeeded('blob.bin', stream(cut(raw, [1]))))).toEqual(raw);
    const text = Buffer.from('plain\ntext\n');
    expect(await collect(gunzipIfNeeded('stdin', stream(cut(text, [1, 2]))))).toEqual(text);
    expect(await collect(gunzipIfNeeded('stdin', stream([])))).toEqual(Buffer.alloc(0));
  });

  it('reports corrupt gzip data as a WeftError', async () => {
    const gz = gzipSync(csv);
    const broken = Buffer.concat([gz.subarray(0, 20), Buffer.from('garbage'), gz.subarray(40)]);
    const err = await collect(gunzipIfNeeded('x.gz', stream([broken]))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_READ');
    expect((err as WeftError).location?.file).toBe('x.gz');
  });
});
