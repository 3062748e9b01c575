import { readdir } from 'node:fs/promises';
import type { Admin } from 'kafkajs';
import type { Checkpoint } from '../table/folder/commit-protocol.js';
import { readJsonIfExists } from '../table/folder/durable-fs.js';
import { checkpointPath, tableLayout } from '../table/folder/layout.js';

/** What lag is measured for: a job's name, topic and sink. */
export interface LagTarget {
  job: string;
  topic: string;
  sinkPath: string;
}

/** One topic-partition of a job: Kafka's end offset, the sink checkpoint, and the difference. */
export interface PartitionLag {
  job: string;
  topic: string;
  partition: number;
  end: number;
  /** The checkpoint's next offset; undefined before the first commit. */
  committed: number | undefined;
  /** end - committed; the whole partition (end - low watermark) before the first commit. */
  lag: number;
  /** When the checkpoint was last written (the last batch), ISO time. */
  committedAt: string | undefined;
}

/** Lag per partition for every target, from the brokers' offsets and the checkpoints beside the data. */
export async function measureLag(admin: Admin, targets: LagTarget[]): Promise<PartitionLag[]> {
  const rows: PartitionLag[] = [];
  const offsetsByTopic = new Map<string, Awaited<ReturnType<Admin['fetchTopicOffsets']>>>();
  for (const target of targets) {
    let offsets = offsetsByTopic.get(target.topic);
    if (!offsets) {
      offsets = await admin.fetchTopicOffsets(target.topic).catch(() => []);
      offsetsByTopic.set(target.topic, offsets);
    }
    const layout = tableLayout(target.sinkPath);
    for (const o of offsets) {
      const checkpoint = await readJsonIfExists<Checkpoint>(checkpointPath(layout, target.topic, o.partition));
      const end = Number(o.high);
      const committed = checkpoint ? Number(checkpoint.next) : undefined;
      rows.push({
        job: target.job,
        topic: target.topic,
        partition: o.partition,
        end,
        committed,
        lag: Math.max(0, end - (committed ?? Number(o.low))),
        committedAt: checkpoint?.committedAt,
      });
    }
  }
  return rows;
}

/** When the job last committed a batch (the newest checkpoint of its topic), read from the sink alone. */
export async function lastCommitAt(target: LagTarget): Promise<string | undefined> {
  const layout = tableLayout(target.sinkPath);
  let newest: string | undefined;
  for (const name of await readdir(layout.checkpoints).catch(() => [] as string[])) {
    if (!name.startsWith(`${target.topic}-`) || !name.endsWith('.json')) continue;
    const checkpoint = await readJsonIfExists<Checkpoint>(`${layout.checkpoints}/${name}`).catch(() => undefined);
    if (checkpoint?.topic === target.topic && (!newest || checkpoint.committedAt > newest)) newest = checkpoint.committedAt;
  }
  return newest;
}
