import { compareRecords, type RecordSource, type ShuffleRecord } from './records.js';

/**
 * K-way merge of sorted sources in shuffle order (key, then seq; equal records keep their
 * source's order, earlier sources first). Calls `emit` for each record and awaits it when it
 * returns a promise; `emit` returning (or resolving to) false stops the merge early.
 * Sources are advanced here but not closed.
 */
export async function mergeSources(
  sources: RecordSource[],
  emit: (rec: ShuffleRecord) => boolean | void | Promise<boolean | void>,
): Promise<void> {
  const heap: { src: RecordSource; rank: number }[] = [];
  const less = (a: (typeof heap)[number], b: (typeof heap)[number]): boolean => {
    const c = compareRecords(a.src.current!, b.src.current!);
    return c < 0 || (c === 0 && a.rank < b.rank);
  };
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i], heap[parent])) return;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (let rank = 0; rank < sources.length; rank++) {
    const src = sources[rank];
    await src.advance();
    if (src.current) {
      heap.push({ src, rank });
      up(heap.length - 1);
    }
  }
  while (heap.length) {
    const top = heap[0];
    let go = emit(top.src.current!);
    if (go instanceof Promise) go = await go;
    if (go === false) return;
    const moved = top.src.advance();
    if (moved) await moved;
    if (top.src.current) down(0);
    else {
      const last = heap.pop()!;
      if (heap.length) {
        heap[0] = last;
        down(0);
      }
    }
  }
}
