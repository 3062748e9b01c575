import type { Logger } from '../logger.js';

/**
 * How long a stop may take before the process ends anyway. The stop's own steps are bounded well
 * below this (reading on 3 s, leaving the groups 2 s, plus the commits); this is the guarantee that
 * one signal ends the process within 10 s even if a step hangs where none was expected.
 */
export const STOP_DEADLINE_MS = 9_500;

/**
 * Watches for SIGINT/SIGTERM from now on, start-up included. `first` resolves with the first
 * signal's name; a second one stops at once through Node's default handler (safe: the commit
 * protocol makes a kill harmless, whatever was not committed is read again on the next start).
 */
export function watchStopSignals(log: Logger): { first: Promise<NodeJS.Signals> } {
  const first = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log.info({ signal }, 'stopping: flushing open batches (signal again to stop at once; uncommitted records are read again on the next start)');
      setTimeout(() => {
        log.error({ signal, deadlineMs: STOP_DEADLINE_MS }, 'the stop did not finish in time; exiting now (uncommitted records are read again on the next start)');
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { first };
}

/**
 * Ends the process with `code` once the stop is done. Kafka clients whose disconnect was given up
 * (a broker that is gone) keep retrying in the background and would hold the process open; the
 * timer is unref'd, so a process with nothing left running exits on its own first.
 */
export function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 200).unref();
}
