/**
 * Chunk buffers to reuse once their job is done with them. Node frees a large Buffer only
 * when the garbage collector runs, which it does after about 64 MB of them pile up; reusing
 * them keeps pipe mode's memory at about (jobs + 2) blocks, whatever the input's size.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly sizes = new Set<number>();

  constructor(private readonly max: number) {}

  /** A buffer of exactly `size` bytes (old contents), reused when one is free. */
  get(size: number): Buffer {
    this.sizes.add(size);
    const i = this.free.findIndex((b) => b.length === size);
    return i >= 0 ? this.free.splice(i, 1)[0] : Buffer.allocUnsafeSlow(size);
  }

  /** Takes back the whole buffer behind `chunk`, when it is one of ours (not a small copy). */
  put(chunk: Buffer): void {
    const whole = chunk.buffer.byteLength;
    if (this.free.length >= this.max || chunk.byteOffset !== 0 || !this.sizes.has(whole)) return;
    this.free.push(Buffer.from(chunk.buffer, 0, whole));
  }
}
