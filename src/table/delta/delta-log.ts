import { randomUUID } from 'node:crypto';
import { tableFromIPC } from 'apache-arrow';
import { getText, KeyExistsError, type ObjectStore } from '../storage/object-store.js';
import type { ParquetEncoder } from '../../parquet/parquet-encoder.js';
import { checkpointKey, commitKey, DeltaLogError, LAST_CHECKPOINT_KEY, parseActions, serializeActions, type Action } from './actions.js';
import { checkpointActions, checkpointTable } from './checkpoint.js';
import { DeltaSnapshot, READER_VERSION, WRITER_VERSION } from './snapshot.js';
import { schemaString, type DeltaField } from './schema.js';
import { SerialQueue } from '../../serial-queue.js';

/** A checkpoint every this many commits, so readers never replay more JSON files than that. */
export const CHECKPOINT_INTERVAL = 10;

/** What a commit attempt decided after looking at the table as it is now. */
export type CommitPlan<T> = { actions: Action[]; result: T } | { abort: T };

/**
 * The transaction log of one Delta table: loads its state (last checkpoint, then newer commits),
 * keeps it up to date, and adds commits with optimistic concurrency. A commit is one new
 * `_delta_log/<version>.json` created put-if-absent; a writer that loses the race reads the commits
 * it missed and asks its `plan` again, which may then give up (for example: fenced).
 */
export class DeltaLog {
  snapshot = new DeltaSnapshot();
  private loaded = false;
  // One log operation at a time: the partitions of a job commit concurrently, and two replays
  // of the same new version into one snapshot would collide.
  private readonly queue = new SerialQueue();

  constructor(
    readonly store: ObjectStore,
    private readonly checkpointEncoder: ParquetEncoder,
  ) {}

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.run(work);
  }

  /** Brings the snapshot up to the newest version (loading the last checkpoint the first time). */
  refresh(): Promise<DeltaSnapshot> {
    return this.exclusive(() => this.catchUp());
  }

  private async catchUp(): Promise<DeltaSnapshot> {
    if (!this.loaded) {
      await this.loadCheckpoint();
      this.loaded = true;
    }
    for (;;) {
      const version = this.snapshot.version + 1;
      const text = await getText(this.store, commitKey(version));
      if (text === undefined) return this.snapshot;
      this.snapshot.apply(version, parseActions(text, this.where(commitKey(version))), this.where(commitKey(version)));
    }
  }

  /** Whether the table has a version 0. */
  async exists(): Promise<boolean> {
    return (await this.refresh()).version >= 0;
  }

  /** Creates version 0 (protocol and metaData) unless another writer did; then the table is up to date. */
  async create(fields: DeltaField[], partitionColumns: string[], name: string): Promise<void> {
    await this.commit(async (snapshot) =>
      snapshot.version >= 0
        ? { abort: undefined }
        : {
            result: undefined,
            actions: [
              { protocol: { minReaderVersion: READER_VERSION, minWriterVersion: WRITER_VERSION } },
              {
                metaData: {
                  id: randomUUID(),
                  name,
                  format: { provider: 'parquet', options: {} },
                  schemaString: schemaString(fields),
                  partitionColumns,
                  configuration: {},
                  createdTime: Date.now(),
                },
              },
            ],
          },
    );
  }

  /**
   * Adds one commit. `plan` sees the up-to-date snapshot and returns the actions (and a result), or
   * `abort`; on a lost race it is asked again with the newer snapshot. Writes a checkpoint after
   * every CHECKPOINT_INTERVAL-th version.
   */
  commit<T>(plan: (snapshot: DeltaSnapshot) => Promise<CommitPlan<T>>, operation = 'WRITE'): Promise<{ committed: boolean; result: T; version: number }> {
    return this.exclusive(() => this.commitNow(plan, operation));
  }

  private async commitNow<T>(plan: (snapshot: DeltaSnapshot) => Promise<CommitPlan<T>>, operation: string): Promise<{ committed: boolean; result: T; version: number }> {
    for (;;) {
      const snapshot = await this.catchUp();
      const decided = await plan(snapshot);
      if ('abort' in decided) return { committed: false, result: decided.abort, version: snapshot.version };
      const version = snapshot.version + 1;
      const actions: Action[] = [
        ...decided.actions,
        { commitInfo: { timestamp: Date.now(), operation, operationParameters: {}, clientVersion: 'gamepipe' } },
      ];
      try {
        await this.store.putIfAbsent(commitKey(version), serializeActions(actions));
      } catch (err) {
        if (err instanceof KeyExistsError) continue;
        throw err;
      }
      snapshot.apply(version, actions, this.where(commitKey(version)));
      if (version % CHECKPOINT_INTERVAL === 0) await this.writeCheckpoint();
      return { committed: true, result: decided.result, version };
    }
  }

  /** Writes the checkpoint of the current version, then points `_last_checkpoint` at it. */
  async writeCheckpoint(): Promise<void> {
    const { version } = this.snapshot;
    const actions = this.snapshot.checkpointActions();
    const bytes = await this.checkpointEncoder.encode(checkpointTable(actions));
    // Another writer may write the same version's checkpoint: from the same log, the same content.
    await this.store.put(checkpointKey(version), bytes);
    await this.store.put(LAST_CHECKPOINT_KEY, JSON.stringify({ version, size: actions.length }));
  }

  private async loadCheckpoint(): Promise<void> {
    const pointer = await getText(this.store, LAST_CHECKPOINT_KEY);
    if (pointer === undefined) return;
    const { version } = JSON.parse(pointer) as { version: number };
    const bytes = await this.store.get(checkpointKey(version));
    if (!bytes) throw new DeltaLogError(`${this.where(LAST_CHECKPOINT_KEY)} names version ${version}, whose checkpoint is missing`);
    const { readParquet } = await import('parquet-wasm');
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    const snapshot = new DeltaSnapshot();
    snapshot.version = version - 1;
    snapshot.apply(version, checkpointActions(table, this.where(checkpointKey(version))), this.where(checkpointKey(version)));
    this.snapshot = snapshot;
  }

  private where(key: string): string {
    return `${this.store.root}/${key}`;
  }
}
