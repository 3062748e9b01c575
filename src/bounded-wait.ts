/** How long a stop waits for a Kafka consumer to leave its group: a broker that is gone must not hold the exit. */
export const LEAVE_WAIT_MS = 2_000;

/**
 * Waits for `work` at most `ms` milliseconds, then goes on without it: resolves its value, or
 * undefined when it failed or took too long. Its failure is handled even when it comes after the
 * wait was given up, so an abandoned Kafka call never becomes an unhandled rejection. For the
 * steps of a stop that talk to a broker which may be gone (a Kafka client retries those for a long time).
 */
export async function boundedWait<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
