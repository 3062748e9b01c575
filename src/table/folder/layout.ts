import { join, resolve } from 'node:path';
import { rejectedSinkPath } from '../location.js';

// Where a table's files live. Only committed data files end in `.parquet`; everything the commit
// protocol keeps for itself lives under `_gamepipe/` with other suffixes, so a reader globbing
// `<table>/**/*.parquet` sees committed data and nothing else.

/** The folders of one job's output: its table, its dead-letter table and its protocol state. */
export interface TableLayout {
  table: string;
  rejected: string;
  state: string;
  checkpoints: string;
  intents: string;
  staging: string;
  /** The columns the table's files were written with (folder-schema.ts). */
  schema: string;
}

/** The layout for a sink path (relative paths resolve against the working directory). */
export function tableLayout(sinkPath: string): TableLayout {
  const table = resolve(sinkPath);
  const state = join(table, '_gamepipe');
  return {
    table,
    rejected: rejectedSinkPath(table),
    state,
    checkpoints: join(state, 'checkpoints'),
    intents: join(state, 'intents'),
    staging: join(state, 'staging'),
    schema: join(state, 'schema.json'),
  };
}

/** A stable name for one topic-partition, usable in file names. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The checkpoint file of a topic-partition. */
export function checkpointPath(layout: TableLayout, topic: string, partition: number): string {
  return join(layout.checkpoints, `${partitionKey(topic, partition)}.json`);
}

/** The commit-intent file of a topic-partition; its existence marks a commit in progress. */
export function intentPath(layout: TableLayout, topic: string, partition: number): string {
  return join(layout.intents, `${partitionKey(topic, partition)}.json`);
}

/**
 * The final name of a data file: which partition and first offset it holds, so names never collide
 * between batches, processes or partitions, and sort in offset order. A topic created again starts
 * its offsets over: its batches take the next free `seq` (FolderJobStore.commit).
 */
export function dataFileName(topic: string, partition: number, fromOffset: string, seq: number): string {
  return `part-${partitionKey(topic, partition)}-${fromOffset.padStart(20, '0')}-${seq}.parquet`;
}
