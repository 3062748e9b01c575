import type { JobSpec } from '../dsl/job-spec.js';
import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import type { Logger } from '../logger.js';
import type { KafkaClient, KafkaConsumer } from './client.js';

/** What a job hears from its group membership. */
interface GroupMemberEvents {
  /** The group gave this member these partitions of the job's topic (possibly none). */
  assigned(partitions: number[]): void;
  /** kafkajs gave up on the member and will not restart it. */
  crashed(error: Error): void;
}

/**
 * A job's membership in its consumer group `gamepipe.<job>`: the group gives the job its
 * partitions, spreads them over processes and holds the offsets Kafka tooling shows. The member
 * never fetches (the topic reader does), so every partition stays paused.
 */
export class JobGroupMember {
  private consumer: KafkaConsumer | undefined;
  private leaving = false;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly spec: JobSpec,
    private readonly log: Logger,
  ) {}

  /** Joins the group; resolves once the member runs (its first assignment comes through `events`). */
  async join(events: GroupMemberEvents): Promise<void> {
    const { topic, start } = this.spec.source;
    const consumer = this.kafka.consumer({
      groupId: `gamepipe.${this.spec.job}`,
      allowAutoTopicCreation: false,
      // A member lost with a broker restart holds up the next rebalance for a whole session.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      // With every partition paused, the consumer's loop sleeps this long per turn, and leaving
      // the group waits for the turn to end.
      maxWaitTimeInMs: 100,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.leaving) return void this.leaveAgain(consumer);
      events.assigned(payload.memberAssignment[topic] ?? []);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.warn({ job: this.spec.job, error: payload.error.message, restart: payload.restart }, 'consumer group error; retrying');
      if (!payload.restart && !this.leaving) events.crashed(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: start === 'earliest' });
    // Nothing to do with a batch: the member only holds the assignment.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    consumer.pause([{ topic }]);
  }

  /** Records `next` as the group's offset of `partition`, for lag tooling; a failure is only logged. */
  commitOffset(partition: number, next: number): void {
    this.consumer
      ?.commitOffsets([{ topic: this.spec.source.topic, partition, offset: String(next) }])
      .catch((err: Error) => this.log.warn({ job: this.spec.job, error: err.message }, 'could not commit offsets to the consumer group'));
  }

  /**
   * Leaves the group, waiting `LEAVE_WAIT_MS` at most: with the broker gone kafkajs retries the
   * leave for many seconds, and a member that did not leave is dropped by the broker after its
   * session timeout anyway.
   */
  async leave(): Promise<void> {
    this.leaving = true;
    if (this.consumer) await boundedWait(this.consumer.disconnect(), LEAVE_WAIT_MS);
  }

  // kafkajs restarts a crashed consumer from a timer that a disconnect racing the crash does not
  // cancel: such a member rejoins for a job that is gone and would hold partitions from the job's
  // next start (which then reads nothing). It is made to leave again.
  private leaveAgain(consumer: KafkaConsumer): void {
    this.log.warn({ job: this.spec.job }, 'group member rejoined after the job stopped; leaving again');
    void boundedWait(consumer.disconnect(), LEAVE_WAIT_MS);
  }
}
