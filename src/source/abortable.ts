/** Resolves to ABORTED when `signal` aborts first. */
export const ABORTED: unique symbol = Symbol('aborted');

/**
 * `promise`, or ABORTED as soon as `signal` aborts: for waits on input (a FIFO with no writer
 * yet, a terminal) that would otherwise keep an interrupted run from ending. The promise itself
 * is left to settle (or not) on its own.
 */
export function unlessAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T | typeof ABORTED> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      resolve(ABORTED);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * `items`, ending early (as if exhausted) once `signal` aborts, even while a read is waiting.
 * The reader then sees the end of input and winds down as an interrupted run does.
 */
export function untilAborted<T>(items: AsyncIterable<T>, signal?: AbortSignal): AsyncIterable<T> {
  if (!signal) return items;
  return {
    [Symbol.asyncIterator]() {
      const it = items[Symbol.asyncIterator]();
      let waiting = false; // a read of `it` has not settled yet
      return {
        async next() {
          waiting = true;
          const read = it.next();
          read.then(
            () => (waiting = false),
            () => (waiting = false),
          );
          const r = await unlessAborted(read, signal);
          return r === ABORTED ? { done: true, value: undefined } : r;
        },
        async return() {
          // A generator still waiting on a read cannot be closed until that read ends: let go.
          if (waiting) it.return?.().catch(() => {});
          else await it.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
