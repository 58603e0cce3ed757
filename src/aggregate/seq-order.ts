import { WeftError } from '../errors.js';

/**
 * Puts items pushed in any order back into sequence order, like `-k`: an item is released once
 * every sequence number before it has been pushed; early arrivals wait in memory.
 */
export class SeqOrder<T> {
  private next: number;
  private readonly held = new Map<number, T>();

  /** `first` is the sequence number of the first item (weft's `{#}` starts at 1). */
  constructor(first = 1) {
    this.next = first;
  }

  /** Takes item `seq`; returns the items now releasable, in order (possibly none). */
  push(seq: number, item: T): T[] {
    if (!Number.isInteger(seq) || seq < this.next || this.held.has(seq)) {
      throw new WeftError('E_INTERNAL', `chunk ${seq} pushed twice or before the first sequence number`);
    }
    if (seq !== this.next) {
      this.held.set(seq, item);
      return [];
    }
    const out = [item];
    this.next++;
    while (this.held.has(this.next)) {
      out.push(this.held.get(this.next) as T);
      this.held.delete(this.next);
      this.next++;
    }
    return out;
  }

  /** Releases everything still held, in order, skipping sequence numbers never pushed. */
  drain(): T[] {
    const seqs = [...this.held.keys()].sort((a, b) => a - b);
    const out = seqs.map((s) => this.held.get(s) as T);
    this.held.clear();
    if (seqs.length) this.next = seqs[seqs.length - 1] + 1;
    return out;
  }

  /** How many items wait for an earlier one. */
  get waiting(): number {
    return this.held.size;
  }
}
