import { link, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ownerAlive, type Owner } from '../commit-protocol.js';
import { fsyncDir, readJsonIfExists, replaceFileDurably, unlinkIfExists, writeSynced } from '../../storage/durable-fs.js';
import type { TableLayout } from '../layout.js';

// A compaction of partition folder `<table>/<partition>` (`dt=X`, or nested like `a=x/b_day=Y`)
// is announced by a marker file `<table>/_gamepipe/compaction/<partition>.json` (its `/` written as
// `#`), created exclusively (link(2)) before anything else and removed last. While it exists,
// committers put no file into that folder (see waitWhileCompacting). The compacted folder is built
// in `<table>_compaction/<id>/<partition>`, out of reach of a `<table>/**/*.parquet` glob, then
// swapped with the live folder in one renameat2 exchange.

/** What a marker records; `inputs` and `compacted` are written just before the swap. */
export interface CompactionMarker {
  owner: Owner;
  id: string;
  /** The partition folder relative to the table, `dt=YYYY-MM-DD` or `event_type=x/event_ts_day=YYYY-MM-DD`. */
  partition: string;
  /** The compacted folder's path relative to the table's parent folder. */
  work: string;
  /** The file names of the live folder that the compacted file replaces. */
  inputs?: string[];
  /** The compacted file's name. */
  compacted?: string;
}

/** The folder of a table's compaction markers. */
export function markerDir(layout: TableLayout): string {
  return join(layout.state, 'compaction');
}

/**
 * The marker path of one partition folder. Its `/` become `#`, which never appears unescaped in a
 * partition folder name (Hive escapes it), so the marker names stay one per folder.
 */
export function markerPath(layout: TableLayout, partition: string): string {
  return join(markerDir(layout), `${partition.replaceAll('/', '#')}.json`);
}

/** The folder beside the table where compacted partitions are built. */
export function workRoot(layout: TableLayout): string {
  return `${layout.table}_compaction`;
}

/** Creates the marker if none exists; false when another compaction of the partition holds it. */
export async function createMarker(layout: TableLayout, marker: CompactionMarker): Promise<boolean> {
  const path = markerPath(layout, marker.partition);
  const tmp = `${path}.${marker.owner.id}.tmp`;
  await writeSynced(tmp, JSON.stringify(marker));
  try {
    await link(tmp, path);
    await fsyncDir(dirname(path));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlinkIfExists(tmp);
  }
}

/** Rewrites a marker in place (atomically and durably). */
export async function updateMarker(layout: TableLayout, marker: CompactionMarker): Promise<void> {
  await replaceFileDurably(markerPath(layout, marker.partition), JSON.stringify(marker));
}

async function ageMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  return info ? Date.now() - info.mtimeMs : 0;
}

async function parquetNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.parquet'));
}

/**
 * Ends one compaction whose owner is gone (or the caller's own, after its swap): when the compacted
 * file is in the live folder the swap happened, so files committed into the old folder meanwhile
 * are moved over and the old folder deleted; otherwise the live folder was never touched and the
 * built folder is deleted. Either way the marker goes last, so a crash here is resumed next time.
 */
export async function finishOrRollBack(layout: TableLayout, marker: CompactionMarker): Promise<'finished' | 'rolled back'> {
  const base = dirname(layout.table);
  const live = join(layout.table, marker.partition);
  const old = resolve(base, marker.work);
  const swapped = marker.compacted !== undefined && (await stat(join(live, marker.compacted)).catch(() => undefined)) !== undefined;
  if (swapped) {
    const inputs = new Set(marker.inputs);
    let moved = 0;
    for (const name of await parquetNames(old)) {
      if (inputs.has(name)) continue;
      try {
        await rename(join(old, name), join(live, name));
        moved++;
      } catch (err) {
        // Another process finishing the same compaction moved it first.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (moved) await fsyncDir(live);
  }
  // The compaction's own work folder, whatever the partition's depth under it.
  await rm(join(workRoot(layout), marker.id), { recursive: true, force: true });
  await rmdir(workRoot(layout)).catch(() => {});
  await unlinkIfExists(markerPath(layout, marker.partition));
  await fsyncDir(markerDir(layout));
  return swapped ? 'finished' : 'rolled back';
}

/** Finishes or rolls back every compaction of the table whose owner is dead; returns what it did. */
export async function recoverCompactions(layout: TableLayout): Promise<string[]> {
  const done: string[] = [];
  const dir = markerDir(layout);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const marker = await readJsonIfExists<CompactionMarker>(path).catch(() => undefined);
    if (!marker || ownerAlive(marker.owner, await ageMs(path))) continue;
    if (name.endsWith('.tmp')) {
      await unlinkIfExists(path);
      continue;
    }
    done.push(`${marker.partition}: ${await finishOrRollBack(layout, marker)} (compaction ${marker.id} was interrupted)`);
  }
  return done;
}

const WAIT_POLL_MS = 50;
const WAIT_LIMIT_MS = 10 * 60_000;

/**
 * The committer's hook: returns once no compaction holds partition folder `dir` of the table, so a
 * commit never renames a file into a folder that is being swapped out. A dead compactor's marker is
 * resolved on the spot. Folders that are not a partition folder of this table return at once.
 */
export async function waitWhileCompacting(layout: TableLayout, dir: string): Promise<void> {
  const partition = relative(layout.table, resolve(dir)).split(sep).join('/');
  if (partition === '' || partition.startsWith('..') || partition.split('/').some((part) => !part.includes('='))) return;
  const path = markerPath(layout, partition);
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const marker = await readJsonIfExists<CompactionMarker>(path);
    if (!marker) return;
    if (!ownerAlive(marker.owner, await ageMs(path))) {
      await finishOrRollBack(layout, marker);
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`partition ${relative(process.cwd(), dir)} has been compacting for over ${WAIT_LIMIT_MS / 60_000} minutes (marker ${path})`);
    }
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}

/** Makes sure the marker folder exists. */
export async function ensureMarkerDir(layout: TableLayout): Promise<void> {
  await mkdir(markerDir(layout), { recursive: true });
}
