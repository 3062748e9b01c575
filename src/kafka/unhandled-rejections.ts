import type { Logger } from '../logger.js';

let installed = false;

/** True for the errors @platformatic/kafka raises: their codes start with PLT_KFK_. */
function isKafkaClientError(reason: unknown): reason is Error {
  const code = reason instanceof Error ? (reason as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('PLT_KFK_');
}

/**
 * Handles a rejection the Kafka client library might leave unhandled inside itself (a retry
 * scheduled from a timer that fails once the broker is gone). Such a promise is not reachable
 * from here, and Node would end the process with exit code 1 for it; the group member retries or
 * the job supervisor restarts it, and the table is safe whatever Kafka does, so it is logged and
 * the run goes on. Any other unhandled rejection is a bug of ours and still ends the process, as
 * Node would.
 */
export function handleKafkaRejections(log: Logger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (!isKafkaClientError(reason)) throw reason;
    log.warn({ error: `${reason.name}: ${reason.message}` }, 'kafka client error inside the client library; it retries');
  });
}
