import type { KafkaAdmin } from '../kafka/client.js';
import { fetchWatermarks, type Watermarks } from '../kafka/watermarks.js';
import type { CompiledJob } from '../dsl/job-spec.js';
import { fixedTopics, matchingTopics } from '../dsl/topic-pattern.js';
import type { JobStore } from '../table/job-store.js';

// Lag is a pure read: Kafka's offsets beside the checkpoints in a job's table. The runner's /status,
// `gamepipe status` and the console all measure it the same way, with or without a runner.

/** What lag is measured for: a job's name, topic and table store. */
export interface LagTarget {
  job: string;
  topic: string;
  store: Pick<JobStore, 'committedOffsets'>;
}

/**
 * The lag targets of jobs, one per topic each reads: its topic, its `source.topics`, or the
 * cluster's topics its `topic_pattern` matches now (listed once, and only when a job has one).
 */
export async function lagTargets(admin: Pick<KafkaAdmin, 'listTopics'>, jobs: readonly { job: CompiledJob; store: LagTarget['store'] }[]): Promise<LagTarget[]> {
  const cluster = jobs.some(({ job }) => !fixedTopics(job.spec)) ? await admin.listTopics() : [];
  return jobs.flatMap(({ job, store }) =>
    (fixedTopics(job.spec) ?? matchingTopics(job.spec.source.topicPattern!, cluster)).map((topic) => ({ job: job.spec.job, topic, store })),
  );
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
export async function measureLag(admin: KafkaAdmin, targets: LagTarget[]): Promise<PartitionLag[]> {
  const rows: PartitionLag[] = [];
  const marksByTopic = new Map<string, Map<number, Watermarks>>();
  for (const target of targets) {
    let marks = marksByTopic.get(target.topic);
    if (!marks) {
      marks = await fetchWatermarks(admin, target.topic).catch(() => new Map<number, Watermarks>());
      marksByTopic.set(target.topic, marks);
    }
    const positions = await target.store.committedOffsets(target.topic);
    for (const [partition, { low, high: end }] of marks) {
      const checkpoint = positions.get(partition);
      const committed = checkpoint?.next;
      rows.push({
        job: target.job,
        topic: target.topic,
        partition,
        end,
        committed,
        lag: Math.max(0, end - (committed ?? low)),
        committedAt: checkpoint?.committedAt,
      });
    }
  }
  return rows;
}

/** When the job last committed a batch (the newest committed offset of its topic), read from the table alone. */
export async function lastCommitAt(target: LagTarget): Promise<string | undefined> {
  let newest: string | undefined;
  for (const { committedAt } of (await target.store.committedOffsets(target.topic)).values()) {
    if (committedAt && (!newest || committedAt > newest)) newest = committedAt;
  }
  return newest;
}
