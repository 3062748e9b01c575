import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  fsyncDir,
  readJsonIfExists,
  replaceFileDurably,
  unlinkIfExists,
  writeSynced,
} from '../storage/durable-fs.js';
import { checkpointPath, intentPath, type TableLayout } from './layout.js';
import { waitWhileCompacting } from './compaction/compaction-marker.js';

// The commit protocol that makes a table exactly-once for any reader that lists `*.parquet`.
//
// Per topic-partition, a batch covering offsets [from, next) commits in these steps:
//   1. each output file is written and fsynced under _gamepipe/staging/<owner>/ as `*.pending`;
//   2. an intent naming the files and the offsets is made durable and created with link(2), which
//      fails if one exists: at most one commit per partition is in flight;
//   3. the checkpoint must still say `from` (compare-and-set), or another process has committed
//      this range since and the batch is dropped ("fenced");
//   4. staged files are renamed to their final `.parquet` names (atomic: never a partial file);
//   5. the checkpoint becomes `next` (write, fsync, rename), then the intent is removed.
// Recovery finishes an interrupted commit whose checkpoint still says `from`, and discards any
// other leftover, so a kill at any moment neither duplicates nor loses a row.

/** Who runs a commit; intents and staging folders carry it so others can tell a dead owner. */
export interface Owner {
  host: string;
  pid: number;
  id: string;
}

/** The next offset to read for one topic-partition, as kept beside the data. */
export interface Checkpoint {
  topic: string;
  partition: number;
  next: string;
  committedAt: string;
}

interface IntentFile {
  staged: string;
  final: string;
}

interface Intent {
  owner: Owner;
  topic: string;
  partition: number;
  from: string;
  next: string;
  /** Paths relative to the folder that holds the table, so a moved table still recovers. */
  files: IntentFile[];
}

/** A staged output file and the name it takes when committed. */
export interface StagedFile {
  staged: string;
  final: string;
}

/** What one partition's batch commits. */
export interface PartitionCommit {
  topic: string;
  partition: number;
  from: string;
  next: string;
  files: StagedFile[];
}

export type CommitOutcome = 'committed' | 'fenced';

// An intent of another host cannot be checked for liveness; after this long it is taken as dead.
const FOREIGN_OWNER_TIMEOUT_MS = 5 * 60_000;
const INTENT_WAIT_MS = 30_000;

/** This process as a commit owner. */
export function currentOwner(): Owner {
  return { host: hostname(), pid: process.pid, id: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}` };
}

/** Reads back an owner id `<host>-<pid>-<random>` (host names may contain dashes). */
function parseOwnerId(id: string): Owner | undefined {
  const match = /^(.+)-(\d+)-[0-9a-f]{8}$/.exec(id);
  return match ? { host: match[1]!, pid: Number(match[2]), id } : undefined;
}

/** Whether a commit owner still runs: by pid on this host, by age (FOREIGN_OWNER_TIMEOUT_MS) on another. */
export function ownerAlive(owner: Owner, ageMs: number): boolean {
  if (owner.host !== hostname()) return ageMs < FOREIGN_OWNER_TIMEOUT_MS;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isErrno(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException).code === code;
}

/** Commits batches into one table's folders with the protocol above. */
export class TableCommitter {
  private readonly base: string;
  private readonly ownStaging: string;
  private seq = 0;

  constructor(
    readonly layout: TableLayout,
    readonly owner: Owner = currentOwner(),
  ) {
    this.base = dirname(layout.table);
    this.ownStaging = join(layout.staging, owner.id);
  }

  /** Creates the table's folders and resolves what dead owners left behind. */
  async open(): Promise<void> {
    for (const dir of [this.layout.table, this.layout.checkpoints, this.layout.intents, this.ownStaging]) {
      await mkdir(dir, { recursive: true });
    }
    await this.recover();
  }

  /** Writes one output file's bytes to staging, durably, and returns where it will go on commit. */
  async stage(bytes: Uint8Array, finalPath: string): Promise<StagedFile> {
    const staged = join(this.ownStaging, `${++this.seq}-${basename(finalPath)}.pending`);
    await writeSynced(staged, bytes);
    return { staged, final: finalPath };
  }

  /** The committed next offset of a topic-partition, or undefined when it was never committed. */
  async checkpoint(topic: string, partition: number): Promise<string | undefined> {
    return (await readJsonIfExists<Checkpoint>(checkpointPath(this.layout, topic, partition)))?.next;
  }

  /** Commits one partition's batch; 'fenced' when the checkpoint moved on, in which case nothing was written. */
  async commit(batch: PartitionCommit): Promise<CommitOutcome> {
    if (batch.files.length) await fsyncDir(this.ownStaging);
    const intent: Intent = {
      owner: this.owner,
      topic: batch.topic,
      partition: batch.partition,
      from: batch.from,
      next: batch.next,
      files: batch.files.map((f) => ({ staged: relative(this.base, f.staged), final: relative(this.base, f.final) })),
    };
    const path = intentPath(this.layout, batch.topic, batch.partition);
    await this.createIntent(path, intent);
    const committed = await this.checkpoint(batch.topic, batch.partition);
    if (committed !== undefined && committed !== batch.from) {
      await this.discard(intent, path);
      return 'fenced';
    }
    await this.apply(intent, path);
    return 'committed';
  }

  /** Finishes or discards every interrupted commit whose owner is gone, and removes its staging. */
  async recover(): Promise<void> {
    for (const name of await readdir(this.layout.intents).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const path = join(this.layout.intents, name);
      const intent = await readJsonIfExists<Intent>(path);
      if (intent && !ownerAlive(intent.owner, await this.ageMs(path))) await this.resolve(intent, path);
    }
    for (const name of await readdir(this.layout.staging).catch(() => [] as string[])) {
      const owner = parseOwnerId(name);
      if (owner && name !== this.owner.id && !ownerAlive(owner, await this.ageMs(join(this.layout.staging, name)))) {
        await rm(join(this.layout.staging, name), { recursive: true, force: true });
      }
    }
  }

  private async ageMs(path: string): Promise<number> {
    try {
      return Date.now() - (await stat(path)).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Creates the intent atomically; waits for a live owner's commit, resolves a dead owner's. */
  private async createIntent(path: string, intent: Intent): Promise<void> {
    const tmp = `${path}.${this.owner.id}.tmp`;
    await writeSynced(tmp, JSON.stringify(intent));
    const deadline = Date.now() + INTENT_WAIT_MS;
    try {
      for (;;) {
        try {
          await link(tmp, path);
          await fsyncDir(this.layout.intents);
          return;
        } catch (err) {
          if (!isErrno(err, 'EEXIST')) throw err;
        }
        const existing = await readJsonIfExists<Intent>(path);
        if (existing && !ownerAlive(existing.owner, await this.ageMs(path))) {
          await this.resolve(existing, path);
        } else if (Date.now() > deadline) {
          throw new Error(`another process (${existing?.owner.id}) holds the commit of ${intent.topic}-${intent.partition} for over ${INTENT_WAIT_MS / 1000}s`);
        } else {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    } finally {
      await unlinkIfExists(tmp);
    }
  }

  /** Recovery of one intent: roll forward when the checkpoint still says `from`, else drop it. */
  private async resolve(intent: Intent, path: string): Promise<void> {
    const committed = await this.checkpoint(intent.topic, intent.partition);
    if (committed === undefined || committed === intent.from || committed === intent.next) {
      await this.apply(intent, path);
    } else {
      await this.discard(intent, path);
    }
  }

  private async apply(intent: Intent, path: string): Promise<void> {
    const dirs = new Set<string>();
    // Compaction hook: a `dt=` folder being compacted is about to be swapped out whole, and a file
    // renamed into it now could land in the outgoing copy. Wait until its compaction has finished
    // (or resolve a dead compactor's marker). The compactor, for its part, waits for commits whose
    // intent existed before its marker, so no rename slips between the two checks.
    for (const dir of new Set(intent.files.map((f) => dirname(resolve(this.base, f.final))))) {
      await waitWhileCompacting(this.layout, dir);
    }
    for (const file of intent.files) {
      const staged = resolve(this.base, file.staged);
      const final = resolve(this.base, file.final);
      await mkdir(dirname(final), { recursive: true });
      try {
        await rename(staged, final);
      } catch (err) {
        // Already renamed by an earlier, interrupted run of this same intent; anything else is loss.
        if (!isErrno(err, 'ENOENT') || !(await stat(final).catch(() => undefined))) {
          throw new Error(`cannot commit ${file.final}: its staged file ${file.staged} is gone`, { cause: err });
        }
      }
      dirs.add(dirname(final));
    }
    for (const dir of dirs) await fsyncDir(dir);
    const checkpoint: Checkpoint = {
      topic: intent.topic,
      partition: intent.partition,
      next: intent.next,
      committedAt: new Date().toISOString(),
    };
    await replaceFileDurably(checkpointPath(this.layout, intent.topic, intent.partition), JSON.stringify(checkpoint));
    await unlinkIfExists(path);
    await fsyncDir(dirname(path));
  }

  private async discard(intent: Intent, path: string): Promise<void> {
    for (const file of intent.files) await unlinkIfExists(resolve(this.base, file.staged));
    await unlinkIfExists(path);
    await fsyncDir(dirname(path));
  }
}
