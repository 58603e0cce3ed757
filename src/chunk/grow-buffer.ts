/**
 * A byte buffer that grows by doubling and is consumed from the front, so appending many
 * small reads and cutting chunks off the front costs O(bytes), not O(bytes²) as repeated
 * Buffer.concat would.
 */
export class GrowBuffer {
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The unconsumed bytes (valid until the next append or take). */
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.length;
      if (live + chunk.length <= this.buf.length / 2) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        let cap = this.buf.length * 2;
        while (cap < live + chunk.length) cap *= 2;
        const next = Buffer.allocUnsafe(cap);
        this.buf.copy(next, 0, this.start, this.end);
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Removes and returns a copy of the first `n` bytes. */
  take(n: number): Buffer {
    const out = Buffer.from(this.buf.subarray(this.start, this.start + n));
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    return out;
  }
}
