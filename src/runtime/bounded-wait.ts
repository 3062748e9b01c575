/** How long leaving a group may take at a stop: a broker that is gone must not hold the exit. */
export const DISCONNECT_WAIT_MS = 2_000;

/**
 * Waits for `work` at most `ms` milliseconds, then goes on without it (resolving undefined); its
 * failure also resolves undefined. For shutdown steps that talk to a broker which may be gone.
 */
export async function boundedWait<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
