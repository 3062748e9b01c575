/**
 * After a clean stop, ends the process if something still keeps it alive a moment later: a Kafka
 * client still retrying a broker that is gone must not hold a stopped runner forever. The timer is
 * unref'd, so a process with nothing left to do exits on its own first.
 */
export function exitIfLingering(code: number, graceMs = 1_000): void {
  setTimeout(() => process.exit(code), graceMs).unref();
}
