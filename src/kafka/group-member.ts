import type { JobSpec } from '../dsl/job-spec.js';
import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import type { Logger } from '../logger.js';
import { describeError } from './admin.js';
import type { KafkaClient, KafkaConsumer } from './client.js';

/** What a job hears from its group membership. */
interface GroupMemberEvents {
  /** The group gave this member these partitions of the job's topic (possibly none). */
  assigned(partitions: number[]): void;
  /** The membership gave up (its retries ran out) and will not rejoin by itself. */
  crashed(error: Error): void;
}

/**
 * The consumer group of a job's runner of `topic`: `gamepipe.<job>` for a job of one topic, and
 * `gamepipe.<job>.<topic>` for each topic of a job of several (`source.topics`, `topic_pattern`),
 * so that every member of a group subscribes to the same one topic, and a topic that starts
 * matching a pattern adds a group rather than rebalancing the others.
 */
export function jobGroupId(spec: Pick<JobSpec, 'job' | 'source'>, topic: string): string {
  const several = spec.source.topics !== undefined || spec.source.topicPattern !== undefined;
  return several ? `gamepipe.${spec.job}.${topic}` : `gamepipe.${spec.job}`;
}

/**
 * A job's membership in its consumer group for one of its topics (see jobGroupId): the group gives
 * the job its partitions, spreads them over processes and holds the offsets Kafka tooling shows.
 * The member joins with that topic as its subscription and never fetches (the topic reader does).
 *
 * Once `leave` is called the member passes on no event and never joins again: the client checks
 * its membership flag, which leaving clears, before each step of a join or rejoin, and closing it
 * cancels any retry timer.
 */
export class JobGroupMember {
  private consumer: KafkaConsumer | undefined;
  private leaving = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly spec: JobSpec,
    private readonly log: Logger,
    private readonly topic = spec.source.topic,
  ) {}

  private get groupId(): string {
    return jobGroupId(this.spec, this.topic);
  }

  /** Joins the group; resolves once the member holds its first assignment (passed to `events`). */
  async join(events: GroupMemberEvents): Promise<void> {
    if (this.leaving) return;
    const { topic } = this;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      // A member lost with a broker restart holds up the next rebalance for a whole session.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      // The member has nothing to finish before a rebalance, so its peers never need long.
      rebalanceTimeout: 10_000,
      autocommit: false,
    });
    this.consumer = consumer;
    consumer.on('consumer:group:join', ({ assignments }) => {
      if (this.leaving) return;
      events.assigned(assignments?.find((a) => a.topic === topic)?.partitions ?? []);
    });
    // A rejoin after a rebalance or a lost coordinator that ran out of retries.
    consumer.on('error', (err: Error) => {
      if (this.leaving) return;
      this.log.warn({ job: this.spec.job, error: describeError(err) }, 'consumer group error; the job restarts');
      events.crashed(err);
    });
    consumer.topics.track(topic);
    try {
      await consumer.joinGroup({});
    } catch (err) {
      // A failed join leaves no client behind.
      await boundedWait(consumer.close(), LEAVE_WAIT_MS);
      throw new Error(`could not join the consumer group ${this.groupId}: ${describeError(err)}`);
    }
  }

  /** Records `next` as the group's offset of `partition`, for lag tooling; a failure is only logged. */
  commitOffset(partition: number, next: number): void {
    const consumer = this.consumer;
    if (!consumer || this.leaving) return;
    consumer
      .commit({ offsets: [{ topic: this.topic, partition, offset: BigInt(next), leaderEpoch: -1 }] })
      .catch((err: Error) => this.log.warn({ job: this.spec.job, error: describeError(err) }, 'could not commit offsets to the consumer group'));
  }

  /**
   * Leaves the group and closes the client, waiting `LEAVE_WAIT_MS` at most for each: a member
   * that could not say goodbye (the broker gone) is dropped by the broker after its session timeout.
   */
  async leave(): Promise<void> {
    this.leaving = true;
    const consumer = this.consumer;
    if (!consumer || consumer.closed) return;
    // Without a callback the client returns a promise; its typings list the callback form first.
    await boundedWait(consumer.leaveGroup() as unknown as Promise<void>, LEAVE_WAIT_MS);
    // A leave that failed restores the client's membership flag; forgetting the member id makes
    // the close below skip a second leave, and the close cancels every timer.
    consumer.memberId = null;
    await boundedWait(consumer.close(), LEAVE_WAIT_MS);
  }
}
