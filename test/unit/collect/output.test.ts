import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import type { OutputSpec } from '../../../src/spec/types.js';

const root = mkdtempSync(join(tmpdir(), 'weft-collect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh folder for one collector's spill folders. */
const spillRoot = () => mkdtempSync(join(root, 't-'));

/** Spill folders and files under `dir`. */
const spilled = (dir: string) => readdirSync(dir).flatMap((d) => [d, ...readdirSync(join(dir, d))]);

/** A sink that records what it got; `slow` makes it a reader that takes its time. */
function sink(opts: { slow?: boolean } = {}) {
  const chunks: Buffer[] = [];
  let maxQueued = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      if (opts.slow) setTimeout(cb, 1);
      else cb();
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Buffer) => {
    const ok = write(chunk);
    maxQueued = Math.max(maxQueued, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  /** Everything written, once the stream has passed it all on. */
  const text = () =>
    new Promise<string>((resolve) => {
      stream.end(() => resolve(Buffer.concat(chunks).toString()));
    });
  return { stream, text, maxQueued: () => maxQueued, now: () => Buffer.concat(chunks).toString() };
}

function collector(spec: Partial<OutputSpec>, threshold: number, opts: { slow?: boolean } = {}) {
  const out = sink(opts);
  const err = sink();
  const dir = spillRoot();
  const c = new OutputCollector(
    { mode: 'group', keepOrder: false, tag: false, ...spec },
    out.stream,
    err.stream,
    { spillThreshold: threshold, tmpDir: dir },
  );
  return { c, out, err, dir };
}

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}\n`).join('');

/** Feeds `text` to a job sink in pieces of `size` bytes. */
function feed(write: (b: Buffer) => void, text: string, size = 7): void {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) write(b.subarray(i, i + size));
}

describe('held output spills to temporary files', () => {
  it('-k: several jobs past the threshold print whole, in input order; files go at close', async () => {
    const { c, out, dir } = collector({ keepOrder: true }, 64);
    const texts = [lines('a', 50), lines('b', 80), lines('c', 3), lines('d', 120)];
    const sinks = texts.map((_, i) => c.start(i + 1, ''));
    // Jobs 2..4 print and end first: all of it is held behind job 1.
    for (let i = 1; i < 4; i++) {
      feed((b) => sinks[i].onStdout(b), texts[i]);
      c.finish(i + 1);
    }
    feed((b) => sinks[0].onStdout(b), texts[0]);
    expect(spilled(dir).length).toBeGreaterThan(1);
    expect(out.now()).toBe('');
    c.finish(1);
    await c.idle();
    expect(await out.text()).toBe(texts.join(''));
    // Read-back files are deleted as soon as they are printed.
    expect(spilled(dir).filter((f) => !f.startsWith('weft-spill-'))).toEqual([]);
    c.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps stdout and stderr apart and in order when both spill', async () => {
    const { c, out, err } = collector({ keepOrder: true }, 16);
    const s2 = c.start(2, '');
    const s1 = c.start(1, '');
    feed((b) => s2.onStdout(b), lines('out', 40));
    feed((b) => s2.onStderr(b), lines('err', 40));
    c.finish(2);
    s1.onStdout(Buffer.from('first\n'));
    c.finish(1);
    await c.idle();
    expect(await out.text()).toBe('first\n' + lines('out', 40));
    expect(await err.text()).toBe(lines('err', 40));
  });

  it('--tag prefixes every line of spilled output, also across piece boundaries', async () => {
    const { c, out } = collector({ keepOrder: true, tag: true }, 32);
    const s2 = c.start(2, 'two');
    const s1 = c.start(1, 'one');
    feed((b) => s2.onStdout(b), lines('x', 30), 5);
    c.finish(2);
    s1.onStdout(Buffer.from('y\n'));
    c.finish(1);
    await c.idle();
    const expected = 'one\ty\n' + lines('x', 30).replace(/^(?=.)/gm, 'two\t');
    expect(await out.text()).toBe(expected);
  });

  it('--line-buffer never splits a line between jobs, also when a running job spilled', async () => {
    const { c, out } = collector({ mode: 'line-buffer' }, 8, { slow: true });
    const a = c.start(1, '');
    const b = c.start(2, '');
    // Interleaved pieces that cut lines in the middle; a slow reader makes output wait (and spill).
    const ta = Buffer.from(lines('alpha-', 60));
    const tb = Buffer.from(lines('beta-', 60));
    for (let i = 0; i < Math.max(ta.length, tb.length); i += 5) {
      if (i < ta.length) a.onStdout(ta.subarray(i, i + 5));
      if (i < tb.length) b.onStdout(tb.subarray(i, i + 5));
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    c.finish(1);
    c.finish(2);
    await c.idle();
    const got = (await out.text()).split('\n').slice(0, -1);
    expect(got.filter((l) => l.startsWith('alpha-'))).toEqual(lines('alpha-', 60).trim().split('\n'));
    expect(got.filter((l) => l.startsWith('beta-'))).toEqual(lines('beta-', 60).trim().split('\n'));
    expect(got).toHaveLength(120);
  });

  it('waits for a slow reader instead of queueing everything in the stream', async () => {
    const { c, out } = collector({ keepOrder: true }, 4096, { slow: true });
    const s1 = c.start(1, '');
    const big = Buffer.alloc(4096, 'z');
    for (let i = 0; i < 1000; i++) s1.onStdout(big);
    c.finish(1);
    await c.idle();
    // The stream never queued more than what was in memory (4 KiB) or one piece read back
    // from the spill file (256 KiB) on top of its high-water mark.
    expect(out.maxQueued()).toBeLessThanOrEqual(1024 + 256 * 1024);
    expect((await out.text()).length).toBe(4_096_000);
  });

  it('a retried attempt (group mode) and a discarded job leave no output and no files', async () => {
    const { c, out, dir } = collector({ keepOrder: true }, 16);
    const s1 = c.start(1, '');
    const s2 = c.start(2, '');
    feed((b) => s1.onStdout(b), lines('bad', 20));
    c.retry(1);
    feed((b) => s1.onStdout(b), 'good\n');
    feed((b) => s2.onStdout(b), lines('killed', 20));
    c.discard(2);
    c.finish(1);
    await c.idle();
    expect(await out.text()).toBe('good\n');
    expect(spilled(dir).filter((f) => !f.startsWith('weft-spill-'))).toEqual([]);
    c.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('holds output in memory when the spill folder cannot be made, and says so once', async () => {
    const out = sink();
    const err = sink();
    const c = new OutputCollector({ mode: 'group', keepOrder: true, tag: false }, out.stream, err.stream, {
      spillThreshold: 8,
      tmpDir: join(root, 'no', 'such', 'dir'),
    });
    const s2 = c.start(2, '');
    const s1 = c.start(1, '');
    feed((b) => s2.onStdout(b), lines('kept', 20));
    c.finish(2);
    s1.onStdout(Buffer.from('one\n'));
    c.finish(1);
    await c.idle();
    expect(await out.text()).toBe('one\n' + lines('kept', 20));
    expect((await err.text()).match(/cannot spill held output/g)).toHaveLength(1);
    c.close();
    expect(existsSync(join(root, 'no'))).toBe(false);
  });

  it('without a spill, nothing touches the disk', async () => {
    const { c, out, dir } = collector({ keepOrder: true }, 1 << 20);
    const s1 = c.start(1, '');
    s1.onStdout(Buffer.from('small\n'));
    c.finish(1);
    await c.idle();
    expect(await out.text()).toBe('small\n');
    expect(readdirSync(dir)).toEqual([]);
  });
});
