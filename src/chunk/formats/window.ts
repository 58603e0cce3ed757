/** What `untilDeadline` resolves to when the deadline comes first. */
export const TIMEOUT: unique symbol = Symbol('timeout');

/**
 * Races `pending` against a deadline (ms since the epoch). The timer is always cleared, and
 * `pending` is left running: the caller keeps it and awaits it again after handling the timeout.
 */
export async function untilDeadline<T>(pending: Promise<T>, deadline: number): Promise<T | typeof TIMEOUT> {
  const ms = deadline - Date.now();
  if (ms <= 0) return TIMEOUT;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMEOUT);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
