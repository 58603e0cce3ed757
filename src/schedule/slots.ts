/** Job slots 1..n; a job takes the lowest free one, as GNU's {%} and PARALLEL_JOBSLOT expect. */
export class Slots {
  private readonly free: number[];

  constructor(readonly size: number) {
    this.free = Array.from({ length: size }, (_, i) => size - i);
  }

  get running(): number {
    return this.size - this.free.length;
  }

  get available(): boolean {
    return this.free.length > 0;
  }

  take(): number {
    const s = this.free.pop();
    if (s === undefined) throw new Error('no free slot');
    return s;
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
