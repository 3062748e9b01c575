import { LAST_CHECKPOINT_KEY } from './actions.js';
import type { DeltaLog } from './delta-log.js';

/**
 * A data file no commit references is removed once it is this old: it was uploaded for a commit
 * that never landed (a crash, a lost race). Younger ones may belong to a commit still in flight.
 */
export const ORPHAN_AGE_MS = 60 * 60_000;
/** A writer commits files it uploaded at most this long ago, so cleanup never deletes a file a commit references. */
export const UPLOAD_VALID_MS = ORPHAN_AGE_MS / 2;
/** Files removed by a compaction stay this long, for readers that listed them just before. */
export const REMOVED_RETENTION_MS = 60 * 60_000;

/** Deletes the table's unreferenced data files that are old enough (see above). Returns how many. */
export async function removeOrphans(log: DeltaLog, now = Date.now()): Promise<number> {
  const snapshot = await log.refresh();
  const live = new Set([...snapshot.files.keys()].map((p) => decodeURIComponent(p)));
  const removed = new Map([...snapshot.tombstones.values()].map((r) => [decodeURIComponent(r.path), r.deletionTimestamp]));
  let deleted = 0;
  for (const object of await log.store.list('')) {
    if (object.key.startsWith('_delta_log/') || object.key === LAST_CHECKPOINT_KEY || !object.key.endsWith('.parquet')) continue;
    if (live.has(object.key)) continue;
    const removedAt = removed.get(object.key);
    const old = removedAt !== undefined ? now - removedAt > REMOVED_RETENTION_MS : now - object.modifiedMs > ORPHAN_AGE_MS;
    if (!old) continue;
    await log.store.delete(object.key);
    deleted++;
  }
  return deleted;
}
