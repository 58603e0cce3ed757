import type { BufferPool } from './buffer-pool.js';

/**
 * The bytes of pipe mode's next chunk. Each read is copied in once (or lands in place,
 * through `space`/`commit`); a large chunk is handed out as a view of the buffer, not
 * copied, and only the bytes after the cut move to a fresh buffer. Small chunks are copied
 * out instead, so many small cuts do not each cost a fresh buffer. Growing doubles, so a
 * long record costs O(bytes), not O(bytes²) as repeated Buffer.concat would.
 *
 * A `prefix` (the header) goes in front of every chunk: a fresh buffer starts with it, so a
 * chunk handed out as a view already holds it.
 */
export class GrowBuffer {
  private buf: Buffer;
  private start = 0;
  private end = 0;
  private prefix: Buffer = Buffer.alloc(0);
  /** buf[0..prefix.length) holds the prefix. */
  private headed = true;

  constructor(
    private readonly capacity = 1 << 16,
    private readonly pool?: BufferPool,
  ) {
    this.buf = pool ? pool.get(capacity) : Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The unconsumed bytes (valid until the next append, space or take). */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Puts `prefix` in front of every chunk taken from now on. */
  setPrefix(prefix: Buffer): void {
    this.prefix = prefix;
    this.headed = prefix.length === 0;
  }

  /** Room for at least `n` more bytes to read into; then `commit` what was read. */
  space(n: number): Buffer {
    if (this.end + n > this.buf.length) this.makeRoom(n, false);
    return this.buf.subarray(this.end);
  }

  commit(n: number): void {
    this.end += n;
  }

  append(chunk: Buffer): void {
    chunk.copy(this.space(chunk.length), 0);
    this.end += chunk.length;
  }

  /** Removes the first `n` bytes and returns them, after the prefix. */
  take(n: number): Buffer {
    const atFront = this.headed && this.start === this.prefix.length;
    if (atFront && n >= this.buf.length / 4) {
      // The chunk keeps this buffer; what follows the cut moves to a fresh one.
      const out = this.buf.subarray(0, this.start + n);
      this.start += n;
      this.makeRoom(0, true);
      return out;
    }
    const body = this.buf.subarray(this.start, this.start + n);
    const out = this.prefix.length ? Buffer.concat([this.prefix, body]) : Buffer.from(body);
    this.start += n;
    if (this.start === this.end && this.headed) this.start = this.end = this.prefix.length;
    return out;
  }

  /**
   * Puts the unconsumed bytes right behind the prefix with room for `extra` more: in place
   * when they are few (nothing handed out shares this buffer then), else in a fresh buffer.
   */
  private makeRoom(extra: number, fresh: boolean): void {
    const live = this.length;
    const need = this.prefix.length + live + extra;
    if (!fresh && this.headed && need <= this.buf.length / 2) {
      this.buf.copy(this.buf, this.prefix.length, this.start, this.end);
    } else {
      let cap = Math.max(this.buf.length, this.capacity);
      while (cap < need) cap *= 2;
      const next = this.pool ? this.pool.get(cap) : Buffer.allocUnsafe(cap);
      this.prefix.copy(next, 0);
      this.buf.copy(next, this.prefix.length, this.start, this.end);
      this.buf = next;
      this.headed = true;
    }
    this.start = this.prefix.length;
    this.end = this.start + live;
  }
}
