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
 * A job's membership in its consumer group `gamepipe.<job>`: the group gives the job its
 * partitions, spreads them over processes and holds the offsets Kafka tooling shows. The member
 * joins with the job's topic as its subscription and never fetches (the topic reader does).
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
  ) {}

  /** Joins the group; resolves once the member holds its first assignment (passed to `events`). */
  async join(events: GroupMemberEvents): Promise<void> {
    if (this.leaving) return;
    const { topic } = this.spec.source;
    const consumer = this.kafka.consumer({
      groupId: `gamepipe.${this.spec.job}`,
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
      throw new Error(`could not join the consumer group gamepipe.${this.spec.job}: ${describeError(err)}`);
    }
  }

  /** Records `next` as the group's offset of `partition`, for lag tooling; a failure is only logged. */
  commitOffset(partition: number, next: number): void {
    const consumer = this.consumer;
    if (!consumer || this.leaving) return;
    consumer
      .commit({ offsets: [{ topic: this.spec.source.topic, partition, offset: BigInt(next), leaderEpoch: -1 }] })
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
