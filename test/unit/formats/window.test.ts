import { describe, expect, it } from 'vitest';
import { formatChunks, partitionOf, type Chunk } from '../../../src/chunk/formats/index.js';
import { opts } from './helpers.js';

/** A live source: yields what the test pushes, waits in between, ends on `close()`. */
function liveSource() {
  const queue: (Buffer | null)[] = [];
  let wake: (() => void) | undefined;
  let returned = false;
  const push = (x: Buffer | null) => {
    queue.push(x);
    wake?.();
  };
  async function* gen(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const x = queue.shift()!;
        if (x === null) return;
        yield x;
      }
    } finally {
      returned = true;
    }
  }
  return {
    stream: gen(),
    write: (s: string) => push(Buffer.from(s)),
    close: () => push(null),
    get returned() {
      return returned;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('--window', () => {
  it('flushes a partial chunk windowMs after its first record, then ends cleanly', async () => {
    const src = liveSource();
    const it = formatChunks(src.stream, opts({ format: 'lines', records: 100, windowMs: 40 }));
    const t0 = Date.now();
    src.write('a\nb\npartial');
    const first = await it.next();
    const waited = Date.now() - t0;
    expect(first.done).toBe(false);
    expect((first.value as Chunk).data.toString()).toBe('a\nb\n');
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(1000);
    src.write(' line\nc\n');
    src.close();
    const rest: string[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.data.toString());
    expect(rest).toEqual(['partial line\nc\n']);
  });

  it('keeps flushing on time while records trickle in', async () => {
    const src = liveSource();
    const got: { text: string; at: number }[] = [];
    const t0 = Date.now();
    const consume = (async () => {
      for await (const c of formatChunks(
        src.stream,
        opts({ format: 'ndjson', block: 1 << 20, windowMs: 60 }),
      )) {
        got.push({ text: c.data.toString(), at: Date.now() - t0 });
      }
    })();
    for (let i = 0; i < 12; i++) {
      src.write(`{"i":${i}}\n`);
      await sleep(15);
    }
    src.close();
    await consume;
    const all = got.map((g) => g.text).join('');
    expect(all).toBe(Array.from({ length: 12 }, (_, i) => `{"i":${i}}\n`).join(''));
    // ~180 ms of input with a 60 ms window: several chunks, not one at the end.
    expect(got.length).toBeGreaterThanOrEqual(2);
  });

  it('flushes every partial key partition', async () => {
    const src = liveSource();
    const it = formatChunks(
      src.stream,
      opts({ format: 'csv', key: 'k', partitions: 8, records: 50, windowMs: 30 }),
    );
    src.write('k,v\na,1\nb,2\nc,3\n');
    const keys = new Set<number>();
    let rows = 0;
    while (rows < 3) {
      const r = await it.next();
      expect(r.done).toBe(false);
      const c = r.value as Chunk;
      expect(c.data.toString().startsWith('k,v\n')).toBe(true);
      keys.add(c.key!);
      rows += c.records;
    }
    src.close();
    expect((await it.next()).done).toBe(true);
    expect(keys).toEqual(new Set(['a', 'b', 'c'].map((k) => partitionOf(k, 8))));
  });

  it('stops promptly when the consumer breaks while a read is pending', async () => {
    const src = liveSource();
    src.write('x\n');
    const t0 = Date.now();
    for await (const c of formatChunks(src.stream, opts({ format: 'lines', records: 10, windowMs: 20 }))) {
      expect(c.data.toString()).toBe('x\n');
      break; // the source is blocked on a read that will never complete
    }
    expect(Date.now() - t0).toBeLessThan(1000);
  }, 5000);
});
