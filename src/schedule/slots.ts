/** Job slots 1..n; a job takes the lowest free one, as GNU's {%} and PARALLEL_JOBSLOT expect. */
export class Slots {
  private readonly free: number[];

  private limit: number;

  constructor(private capacity: number) {
    this.limit = capacity;
    this.free = Array.from({ length: capacity }, (_, i) => capacity - i);
  }

  /** How many jobs may run at once now. */
  get size(): number {
    return this.limit;
  }

  get running(): number {
    return this.capacity - this.free.length;
  }

  get available(): boolean {
    return this.running < this.limit && this.free.length > 0;
  }

  /**
   * Changes how many jobs may run at once (adaptive concurrency). Shrinking never stops a
   * running job: fewer start until the running count is below the new size.
   */
  resize(size: number): void {
    const n = Math.max(1, Math.floor(size));
    for (let s = this.capacity + 1; s <= n; s++) this.release(s);
    this.capacity = Math.max(this.capacity, n);
    this.limit = n;
  }

  take(): number {
    if (!this.available) throw new Error('no free slot');
    return this.free.pop()!;
  }

  release(slot: number): void {
    // Keep the stack sorted high→low so pop() returns the lowest free slot.
    let i = this.free.length;
    while (i > 0 && this.free[i - 1] < slot) i--;
    this.free.splice(i, 0, slot);
  }
}

/** The median of the recorded values (for `--timeout N%`). */
export class Median {
  private readonly values: number[] = [];
  add(v: number): void {
    const i = this.values.findIndex((x) => x > v);
    this.values.splice(i < 0 ? this.values.length : i, 0, v);
  }
  get count(): number {
    return this.values.length;
  }
  get value(): number {
    const n = this.values.length;
    return n % 2 ? this.values[(n - 1) / 2] : (this.values[n / 2 - 1] + this.values[n / 2]) / 2;
  }
}
