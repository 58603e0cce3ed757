import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, mergeParts, type StoredResult } from '../../../src/cache/entry.js';
import { jobKey } from '../../../src/cache/key.js';
import { CacheStore } from '../../../src/cache/store.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = (over: Partial<StoredResult> = {}): StoredResult => ({
  exitCode: 0,
  signal: 0,
  parts: [
    [1, Buffer.from('out 1\n')],
    [2, Buffer.from('err\n')],
    [1, Buffer.from([0, 255, 10])],
  ],
  durationMs: 12,
  createdAt: 1_000_000,
  command: 'echo x',
  ...over,
});

describe('cache entries', () => {
  it('round-trip exactly, output order and bytes included', () => {
    const r = result();
    expect(decodeEntry(encodeEntry(r))).toEqual(r);
  });

  it('join neighbouring pieces of one stream', () => {
    const merged = mergeParts([
      [1, Buffer.from('a')],
      [1, Buffer.from('b')],
      [2, Buffer.from('')],
      [2, Buffer.from('c')],
      [1, Buffer.from('d')],
    ]);
    expect(merged.map(([s, b]) => [s, b.toString()])).toEqual([
      [1, 'ab'],
      [2, 'c'],
      [1, 'd'],
    ]);
  });

  it('are not read back when cut short or foreign', () => {
    const data = encodeEntry(result());
    expect(decodeEntry(data.subarray(0, data.length - 1))).toBeUndefined();
    expect(decodeEntry(Buffer.concat([data, Buffer.from('x')]))).toBeUndefined();
    expect(decodeEntry(Buffer.from('{"format":"other"}\n'))).toBeUndefined();
    expect(decodeEntry(Buffer.from('not json\n'))).toBeUndefined();
    expect(decodeEntry(Buffer.from(''))).toBeUndefined();
  });
});

describe('jobKey', () => {
  const none = { kind: 'none' } as const;
  const buf = (s: string) => ({ kind: 'buffer', data: Buffer.from(s) }) as const;

  it('covers the command line, stdin and the named environment', async () => {
    const base = await jobKey('echo a', none, []);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await jobKey('echo a', none, [])).toBe(base);
    expect(await jobKey('echo b', none, [])).not.toBe(base);
    expect(await jobKey('echo a', buf(''), [])).not.toBe(base);
    expect(await jobKey('echo a', buf('x'), [])).not.toBe(await jobKey('echo a', buf('y'), []));
    const v1 = await jobKey('echo a', none, [['V', '1']]);
    expect(v1).not.toBe(base);
    expect(await jobKey('echo a', none, [['V', '2']])).not.toBe(v1);
    expect(await jobKey('echo a', none, [['V', '']])).not.toBe(
      await jobKey('echo a', none, [['V', undefined]]),
    );
    // Parts are delimited: moving bytes from the command into stdin changes the key.
    expect(await jobKey('ab', buf('c'), [])).not.toBe(await jobKey('a', buf('bc'), []));
  });

  it('reads a file range (--pipepart) for its content', async () => {
    const f = join(dir, 'range.txt');
    writeFileSync(f, 'hello\nworld\nhello\n');
    const r = (start: number, end: number, prefix?: Buffer) =>
      ({ kind: 'range', range: { path: f, start, end, prefix } }) as const;
    expect(await jobKey('c', r(0, 6), [])).toBe(await jobKey('c', r(12, 18), []));
    expect(await jobKey('c', r(0, 6), [])).not.toBe(await jobKey('c', r(6, 12), []));
    expect(await jobKey('c', r(0, 6, Buffer.from('h\n')), [])).not.toBe(await jobKey('c', r(0, 6), []));
  });
});

describe('CacheStore', () => {
  it('stores, serves before the write is done, and reads back after', async () => {
    const warnings: string[] = [];
    const store = await CacheStore.open(join(dir, 'c1'), undefined, (m) => warnings.push(m));
    const key = 'ab' + '0'.repeat(62);
    expect(await store.get(key)).toBeUndefined();
    store.put(key, result());
    expect(await store.get(key)).toEqual(result());
    await store.flush();
    const again = await CacheStore.open(join(dir, 'c1'), undefined, () => {});
    expect(await again.get(key)).toEqual(result());
    expect(readdirSync(join(dir, 'c1')).sort()).toEqual(['CACHEDIR.TAG', 'ab']);
    expect(readdirSync(join(dir, 'c1', 'ab'))).toEqual([key]);
    expect(warnings).toEqual([]);
  });

  it('treats entries older than the TTL as missing', async () => {
    const store = await CacheStore.open(join(dir, 'c2'), 60_000, () => {});
    const key = 'cd' + '1'.repeat(62);
    store.put(key, result({ createdAt: 1_000_000 }));
    await store.flush();
    expect(await store.get(key, 1_000_000 + 59_000)).toBeDefined();
    expect(await store.get(key, 1_000_000 + 61_000)).toBeUndefined();
  });

  it('ignores an unreadable entry, and says once that it cannot write', async () => {
    const store = await CacheStore.open(join(dir, 'c3'), undefined, () => {});
    const key = 'ef' + '2'.repeat(62);
    store.put(key, result());
    await store.flush();
    writeFileSync(join(dir, 'c3', 'ef', key), 'garbage');
    expect(await store.get(key)).toBeUndefined();

    const warnings: string[] = [];
    const bad = await CacheStore.open(join(dir, 'c4'), undefined, (m) => warnings.push(m));
    writeFileSync(join(dir, 'c4', '12'), 'a file where a folder should be');
    bad.put('12' + '3'.repeat(62), result());
    bad.put('12' + '4'.repeat(62), result());
    await bad.flush();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^weft: --cache: cannot store a result in /);
  });

  it('refuses a directory it cannot create', async () => {
    writeFileSync(join(dir, 'file'), '');
    await expect(CacheStore.open(join(dir, 'file', 'sub'), undefined, () => {})).rejects.toThrow(
      /--cache: cannot use/,
    );
  });
});
