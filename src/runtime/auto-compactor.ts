import { UserError } from '../user-error.js';
import type { Logger } from '../logger.js';
import type { JobRoster } from './running-jobs.js';

/** Closed partitions with at least this many files are compacted by the runner. */
export const AUTO_MIN_FILES = 4;
const FIRST_ROUND_MS = 5_000;
const ROUND_MS = 10 * 60_000;

/**
 * The runner's automatic compaction: shortly after start and then every ten minutes, the closed
 * partitions (a dt, or an hour/day/month of an event time, before today, UTC) of every job with such a time partition with AUTO_MIN_FILES or more
 * files are compacted (the jobs running at the time, an invalid file's too). One round at a time; a missing atomic swap turns it off with one warning.
 */
export function startAutoCompaction(roster: JobRoster, log: Logger): { stop(): Promise<void> } {
  let round: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const once = async () => {
    for (const { job, store } of roster.jobs()) {
      // Partitions of a job with no time partition never close: `gamepipe compact --include-today` takes them.
      if (stopped || !job.spec.sink.partitionBy.some((f) => f.transform !== 'identity')) continue;
      const { recovered, results } = await store.compact({ includeToday: false, minFiles: AUTO_MIN_FILES });
      for (const line of recovered) log.warn({ job: job.spec.job }, `compaction recovery: ${line}`);
      for (const r of results) {
        if (r.outcome === 'compacted') log.info({ job: job.spec.job, partition: r.partition, files: r.filesBefore, rows: r.rows, bytesBefore: r.bytesBefore, bytesAfter: r.bytesAfter }, 'partition compacted');
      }
    }
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      round = once()
        .then(() => {
          if (!stopped) schedule(ROUND_MS);
        })
        .catch((err: Error) => {
          if (err instanceof UserError) {
            log.warn({ error: err.message }, 'automatic compaction is off');
            return;
          }
          log.error({ error: err.message }, 'automatic compaction failed; trying again next round');
          if (!stopped) schedule(ROUND_MS);
        });
    }, ms);
    timer.unref();
  };
  schedule(FIRST_ROUND_MS);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
