import { sqlString } from '../../../sql-text.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { currentOwner, ownerAlive, TableCommitter, type Owner } from '../commit-protocol.js';
import { fsyncDir, readJsonIfExists, unlinkIfExists } from '../../storage/durable-fs.js';
import type { TableLayout } from '../layout.js';
import { createMarker, ensureMarkerDir, finishOrRollBack, markerPath, recoverCompactions, updateMarker, workRoot, type CompactionMarker } from './compaction-marker.js';
import { exchangeDirs } from './exchange-dirs.js';
import type { CompactionResult } from '../../job-store.js';
import { pausePoint } from './pause-point.js';

const COMMIT_WAIT_MS = 60_000;

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function liveFiles(dir: string): Promise<{ name: string; bytes: number }[]> {
  const files: { name: string; bytes: number }[] = [];
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    if (!name.endsWith('.parquet')) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) files.push({ name, bytes: info.size });
  }
  return files;
}

/**
 * Waits for commits into `folder` whose intent was made before the marker: they may have checked
 * for a marker before it existed. A dead owner's intent into the folder aborts the compaction (its
 * recovery would re-apply files the compaction might fold away); the next run resolves it first.
 */
async function waitForInflightCommits(layout: TableLayout, folder: string): Promise<string | undefined> {
  const base = dirname(layout.table);
  const deadline = Date.now() + COMMIT_WAIT_MS;
  for (;;) {
    let busy = false;
    for (const name of await readdir(layout.intents).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const path = join(layout.intents, name);
      const intent = await readJsonIfExists<{ owner: Owner; files: { final: string }[] }>(path).catch(() => undefined);
      if (!intent || !intent.files.some((f) => dirname(resolve(base, f.final)) === folder)) continue;
      const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (!ownerAlive(intent.owner, age)) return `an interrupted commit into it (${name}) awaits recovery; run again`;
      busy = true;
    }
    if (!busy) return undefined;
    if (Date.now() > deadline) return `a commit into it did not finish within ${COMMIT_WAIT_MS / 1000}s`;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes `inputs` as one Parquet file at `output` with DuckDB; returns the rows in and out. */
async function rewrite(inputs: string[], output: string): Promise<{ rowsIn: number; rowsOut: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    // hive_partitioning off: columns only the folder names hold (dt, event_ts_day) must not be written into the file.
    const source = `read_parquet([${inputs.map(sqlString).join(', ')}], union_by_name = true, hive_partitioning = false)`;
    const rowsIn = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${source}`)).getRows()[0]![0]);
    await conn.run(`COPY (SELECT * FROM ${source}) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION zstd)`);
    const rowsOut = Number((await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(output)})`)).getRows()[0]![0]);
    return { rowsIn, rowsOut };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/**
 * Compacts partition folder `<table>/<partition>` (`dt=X`, or nested `a=x/b_day=Y`) into one file, atomically for glob
 * readers: marker, wait for in-flight commits, build outside the table, record, exchange, move any
 * late file over, clean up. Killed at any step, the next compaction or commit finishes or undoes it.
 */
export async function compactPartition(layout: TableLayout, partition: string, minFiles: number, owner: Owner = currentOwner()): Promise<CompactionResult> {
  const live = join(layout.table, partition);
  const skipped = (reason: string): CompactionResult => ({ partition, outcome: 'skipped', reason });
  if ((await liveFiles(live)).length < minFiles) return skipped(`fewer than ${minFiles} files`);

  // Interrupted commits of dead processes are settled before the marker, which would block them.
  await new TableCommitter(layout).recover();
  await ensureMarkerDir(layout);
  const id = `${owner.id}-${randomUUID().slice(0, 8)}`;
  const work = join(workRoot(layout), id, partition);
  const marker: CompactionMarker = { owner, id, partition, work: relative(dirname(layout.table), work) };
  if (!(await createMarker(layout, marker))) return skipped('another compaction of it is running');
  let swapped = false;
  try {
    await pausePoint('marked');
    const blocked = await waitForInflightCommits(layout, live);
    if (blocked) return skipped(blocked);
    const inputs = await liveFiles(live);
    if (inputs.length < minFiles) return skipped(`fewer than ${minFiles} files`);

    await mkdir(work, { recursive: true });
    const compacted = `part-compacted-${id}.parquet`;
    const { rowsIn, rowsOut } = await rewrite(inputs.map((f) => join(live, f.name)), join(work, compacted));
    if (rowsIn !== rowsOut) throw new Error(`compaction of ${partition} read ${rowsIn} rows but wrote ${rowsOut}; nothing was swapped`);
    await fsyncFile(join(work, compacted));
    for (let dir = work; dir !== dirname(workRoot(layout)); dir = dirname(dir)) await fsyncDir(dir);
    await pausePoint('built');

    await updateMarker(layout, { ...marker, inputs: inputs.map((f) => f.name), compacted });
    await pausePoint('recorded');
    await exchangeDirs(work, live);
    swapped = true;
    await fsyncDir(dirname(live));
    await fsyncDir(dirname(work));
    await pausePoint('swapped');

    const before = new Set(inputs.map((f) => f.name));
    const late = (await liveFiles(work)).filter((f) => !before.has(f.name)).length;
    await finishOrRollBack(layout, { ...marker, inputs: inputs.map((f) => f.name), compacted });
    await pausePoint('moved');
    return {
      partition,
      outcome: 'compacted',
      filesBefore: inputs.length,
      bytesBefore: inputs.reduce((s, f) => s + f.bytes, 0),
      bytesAfter: (await stat(join(live, compacted))).size,
      rows: rowsOut,
      lateFiles: late,
    };
  } finally {
    // Any early return or error before the swap leaves the live folder untouched: undo the rest.
    if (!swapped) await finishOrRollBack(layout, marker).catch(() => unlinkIfExists(markerPath(layout, partition)));
  }
}

export { recoverCompactions };
