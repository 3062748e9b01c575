/** The steps of a compaction, in order; GAMEPIPE_COMPACT_PAUSE_AT names one to stop at (for crash tests). */
export type CompactionStep = 'marked' | 'built' | 'recorded' | 'swapped' | 'moved';

/**
 * When GAMEPIPE_COMPACT_PAUSE_AT names `step`, says so on stderr and never returns, so a test can
 * kill -9 the process at exactly that point. Otherwise returns at once.
 */
export async function pausePoint(step: CompactionStep): Promise<void> {
  if (process.env.GAMEPIPE_COMPACT_PAUSE_AT !== step) return;
  process.stderr.write(`compaction paused at ${step}\n`);
  await new Promise(() => setInterval(() => {}, 60_000));
}
