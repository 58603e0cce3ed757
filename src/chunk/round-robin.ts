/**
 * One job's share of `--round-robin`: the chunks dealt to it, pulled by the job's stdin
 * feeder one at a time. Pulling is how a job says it is ready for more.
 */
class Feed implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private pending?: (r: IteratorResult<Buffer>) => void;
  private ended = false;
  /** The job stopped reading (it ended, or its stdin broke). */
  closed = false;

  constructor(
    first: Buffer,
    private readonly changed: () => void,
  ) {
    this.queue.push(first);
  }

  /** Waiting for a chunk right now. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** Has taken every chunk given to it so far. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  give(chunk: Buffer): void {
    if (this.closed) return;
    const p = this.pending;
    this.pending = undefined;
    if (p) p({ value: chunk, done: false });
    else this.queue.push(chunk);
  }

  /** No more chunks: the job sees the end of its input. */
  end(): void {
    this.ended = true;
    const p = this.pending;
    this.pending = undefined;
    p?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.queue.shift();
    if (chunk) {
      this.changed();
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.ended || this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.pending = resolve;
      this.changed();
    });
  }

  return(): Promise<IteratorResult<Buffer>> {
    if (!this.closed) {
      this.closed = true;
      this.queue.length = 0;
      this.end();
      this.changed();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * GNU parallel's `--round-robin`: the first `slots` chunks each start a job, and every
 * later chunk goes to a job already running, so each job reads many chunks on one stdin.
 * A chunk goes to whichever job asks for more first (`strict`: to the next job in turn,
 * as GNU does with -k, so the split is the same every run). A header (`--header`) starts
 * each job's input once. Memory stays at about one chunk per job.
 */
export async function* roundRobin(
  chunks: AsyncIterable<Buffer>,
  slots: number,
  opts: { strict: boolean; header?: () => Buffer | undefined; signal?: AbortSignal },
): AsyncGenerator<AsyncIterable<Buffer>> {
  const feeds: Feed[] = [];
  // Whoever waits for a job to ask for more, or to go away.
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((w) => w());
  const change = () => new Promise<void>((resolve) => waiters.push(resolve));
  const it = chunks[Symbol.asyncIterator]();
  const open = () => feeds.some((f) => !f.closed);
  let turn = 0;
  /** The job the next chunk goes to, once one is ready; undefined when every job is gone. */
  async function target(): Promise<Feed | undefined> {
    for (;;) {
      if (!open() || stopped) return undefined;
      for (let k = 0; k < feeds.length; k++) {
        const f = feeds[(turn + k) % feeds.length];
        if (f.closed) continue;
        if (opts.strict ? f.idle : f.waiting) {
          turn = (feeds.indexOf(f) + 1) % feeds.length;
          return f;
        }
        if (opts.strict) break;
      }
      await change();
    }
  }
  // A stop (first SIGINT) deals nothing more: the jobs see the end of their input and finish.
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const f of feeds) f.end();
    changed();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stopped = true;
  /** Deals the chunks after the first `slots` to the running jobs, then ends their input. */
  async function deal(): Promise<void> {
    try {
      for (;;) {
        const next = await it.next();
        if (next.done || stopped) return;
        const f = await target();
        if (!f) return;
        f.give(next.value);
      }
    } finally {
      for (const f of feeds) f.end();
    }
  }

  let dealing: Promise<void> | undefined;
  try {
    while (feeds.length < slots) {
      const next = await it.next();
      if (next.done) return;
      const header = opts.header?.();
      const feed = new Feed(header?.length ? Buffer.concat([header, next.value]) : next.value, changed);
      feeds.push(feed);
      // The last job starts dealing before it is handed out: the scheduler asks for another
      // job only when a slot frees, and no job ends before its input does.
      if (feeds.length === slots) dealing = deal();
      yield feed;
    }
  } finally {
    if (!dealing) for (const f of feeds) f.end();
  }
  const allGone = (async () => {
    while (open() && !stopped) await change();
  })();
  await Promise.race([dealing, allGone]);
  opts.signal?.removeEventListener('abort', stop);
  if (!open() || stopped) void it.return?.();
}
