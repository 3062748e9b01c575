import { TimeoutError } from '@platformatic/kafka';
import type { JobSpec } from '../dsl/job-spec.js';
import { boundedWait, LEAVE_WAIT_MS } from '../bounded-wait.js';
import type { Logger } from '../logger.js';
import { describeError } from './admin.js';
import type { KafkaClient, KafkaConsumer } from './client.js';
import { settingsRefusal } from './client-errors.js';

/** What a job hears from its group membership. */
interface GroupMemberEvents {
  /** The group gave this member these partitions of the job's topic (possibly none). */
  assigned(partitions: number[]): void;
  /** The membership gave up (its retries ran out) and will not rejoin by itself. */
  crashed(error: Error): void;
}

/** How long a join keeps trying, over fresh clients, while the group's coordinator is not ready. */
export const JOIN_WAIT_MS = 30_000;
/** The pause between two clients' join attempts. */
const JOIN_PAUSE_MS = 500;
/**
 * How long a member that lost its coordinator keeps looking for the new one (the controller must
 * first fence the dead broker and move its partitions of the offsets topic) before the job restarts.
 */
export const COORDINATOR_MOVE_WAIT_MS = 60_000;
/**
 * The member client's retries of one request. Few: a heartbeat that cannot reach the coordinator
 * soon starts a fresh lookup (only a fresh client asks FindCoordinator again), and a join that
 * fails is tried again with a fresh client anyway.
 */
const MEMBER_RETRIES = 3;

interface NestedError {
  canRetry?: boolean;
  errors?: unknown[];
  cause?: unknown;
}

/**
 * True when `err` is one a later join may pass: every error in its chain is one the library
 * calls retriable (a coordinator still loading or moved, a broker away) or a request that timed
 * out, and none is a refusal of the connection settings. The library never retries a timed-out
 * request (the broker may be frozen); a fresh client looks the coordinator up again, and a frozen
 * coordinator is replaced once the controller fences it.
 */
export function joinRetriable(err: unknown): boolean {
  if (settingsRefusal(err)) return false;
  const walk = (e: unknown): boolean => {
    if (!e || typeof e !== 'object') return true;
    const n = e as NestedError;
    if (n.canRetry === false && !(e instanceof TimeoutError)) return false;
    return [...(n.errors ?? []), n.cause].every(walk);
  };
  return walk(err);
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
 * The client caches the group's coordinator for its whole life: on a cluster created seconds ago
 * (the coordinator loading or not yet elected) or after the coordinator moved, its own retries keep
 * asking the wrong broker. So a join that fails for a retriable reason is tried again with a fresh
 * client (a fresh FindCoordinator), for `JOIN_WAIT_MS` at most. A member whose heartbeat or rejoin
 * failed (its coordinator died or moved) does the same as the member it was: the old client is
 * dropped without a LeaveGroup and a fresh one joins with the old member id, which the new
 * coordinator (it loads the group's members from the offsets topic) takes as the same member while
 * its session lasts. Meanwhile the job keeps its partitions and reads and commits them: exactly-once
 * rests on the table's fenced commits, not on the group, so a member that holds a partition a
 * moment longer than the group says costs at most a fenced batch. Only a member that finds no
 * coordinator for `COORDINATOR_MOVE_WAIT_MS` reports itself crashed (the job restarts).
 *
 * Once `leave` is called the member passes on no event and never joins again: no new client is
 * made, the client checks its membership flag (which leaving clears) before each step of a join
 * or rejoin, and closing it cancels any retry timer. A join still in flight when `leave` is called
 * is waited for (briefly) first, so the leave names the member id the broker gave it.
 */
export class JobGroupMember {
  private consumer: KafkaConsumer | undefined;
  private leaving = false;
  /** The join attempt under way, settled (never rejecting) when it is over. */
  private joining: Promise<unknown> | undefined;
  /** Wakes a join waiting between two attempts when `leave` is called. */
  private wake: (() => void) | undefined;
  /** Where the member's assignments and crash go, from the first join on. */
  private events: GroupMemberEvents | undefined;
  /** Set while the member looks for its group's new coordinator (see `coordinatorLost`). */
  private moving = false;

  /**
   * The member id the broker may still hold for this member after `leave`: its LeaveGroup failed
   * or took too long (the broker away). Undefined when it left, or never got an id.
   */
  leftBehind: string | undefined;

  /**
   * `topic`: the one topic this member subscribes to (default the job's `source.topic`).
   * `rejoinAs` is the member id the job's previous member left behind (its `leftBehind`): the
   * first join asks for it, so the broker takes this member for that one instead of holding the
   * rebalance until the old member's session runs out. An id the broker no longer knows costs one
   * round trip (UNKNOWN_MEMBER_ID, then a join with a new id).
   */
  constructor(
    private readonly kafka: KafkaClient,
    private readonly spec: JobSpec,
    private readonly log: Logger,
    options: { topic?: string; rejoinAs?: string } = {},
  ) {
    this.topic = options.topic ?? spec.source.topic;
    this.rejoinAs = options.rejoinAs;
  }

  /** The topic this member subscribes to: the job's, or one of its several. */
  private readonly topic: string;
  private rejoinAs: string | undefined;

  private get group(): string {
    return jobGroupId(this.spec, this.topic);
  }

  /** Joins the group; resolves once the member holds its first assignment (passed to `events`). */
  async join(events: GroupMemberEvents): Promise<void> {
    this.events = events;
    try {
      await this.joinFresh(JOIN_WAIT_MS, false, (attempt, err) =>
        this.log.warn({ job: this.spec.job, attempt, error: describeError(err) }, 'joining the consumer group failed; trying again with a fresh coordinator lookup'),
      );
    } catch (err) {
      throw new Error(`could not join the consumer group ${this.group}: ${describeError(err)}`);
    }
  }

  /**
   * Joins with fresh clients, one after another, until one holds an assignment or `leave` is
   * called; throws the last error once it is not retriable or `waitMs` passed. `keepMember`: a
   * failed attempt drops its client without leaving (see `joinOnce`).
   */
  private async joinFresh(waitMs: number, keepMember: boolean, retrying: (attempt: number, err: unknown) => void): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 1; ; attempt++) {
      if (this.leaving) return;
      try {
        await this.joinOnce(keepMember);
        return;
      } catch (err) {
        if (this.leaving) return;
        if (!joinRetriable(err) || Date.now() + JOIN_PAUSE_MS >= deadline) throw err;
        retrying(attempt, err);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, JOIN_PAUSE_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }

  /**
   * One client's join (with the client's own retries); a failed one closes its client. It leaves
   * the group first, unless `keepMember`: a member looking for its moved coordinator keeps its id
   * for the next attempt, as the broker may still hold it.
   */
  private async joinOnce(keepMember: boolean): Promise<void> {
    const events = this.events!;
    const { topic } = this;
    const consumer = this.kafka.consumer({
      retries: MEMBER_RETRIES,
      groupId: this.group,
      // A member lost with a broker restart holds up the next rebalance for a whole session.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      // The member has nothing to finish before a rebalance, so its peers never need long.
      rebalanceTimeout: 10_000,
      autocommit: false,
    });
    this.consumer = consumer;
    if (this.rejoinAs) consumer.memberId = this.rejoinAs;
    this.rejoinAs = undefined;
    consumer.on('consumer:group:join', ({ assignments }) => {
      if (this.leaving || this.consumer !== consumer) return;
      events.assigned(assignments?.find((a) => a.topic === topic)?.partitions ?? []);
    });
    // A rejoin after a rebalance that ran out of retries, or a heartbeat that did: the client sends
    // the next one to the coordinator it cached, which is gone or no longer the coordinator.
    consumer.on('error', (err: Error) => this.coordinatorLost(consumer, err));
    consumer.on('consumer:heartbeat:error', ({ error }: { error: Error }) => this.coordinatorLost(consumer, error));
    consumer.topics.track(topic);
    const joined = coordinatorListed(consumer, topic).then(() => consumer.joinGroup({}));
    this.joining = joined.catch(() => {});
    try {
      await joined;
    } catch (err) {
      if (keepMember) {
        this.rejoinAs = consumer.memberId ?? this.rejoinAs;
        await dropClient(consumer);
      } else {
        // A failed join leaves no client behind, nor a member the broker gave it an id (one it
        // could not leave is the id the next attempt joins as).
        this.rejoinAs = await leaveAndClose(consumer);
      }
      throw err;
    } finally {
      this.joining = undefined;
    }
  }

  /**
   * The client's heartbeat or rejoin failed after its retries: find the coordinator again with a
   * fresh client joining as this member, while the job reads on (see the class comment).
   */
  private coordinatorLost(consumer: KafkaConsumer, err: Error): void {
    if (this.leaving || this.consumer !== consumer || this.moving) return;
    this.moving = true;
    const from = consumer.coordinatorId;
    const since = Date.now();
    this.log.warn(
      { job: this.spec.job, coordinator: from, error: describeError(err) },
      'lost the consumer group coordinator; finding it again while the job reads on',
    );
    this.rejoinAs = consumer.memberId ?? undefined;
    // Without a LeaveGroup: the membership is what the fresh client carries on.
    void dropClient(consumer);
    this.joinFresh(COORDINATOR_MOVE_WAIT_MS, true, () => {})
      .then(
        () => {
          if (this.leaving) return;
          this.log.info({ job: this.spec.job, from, to: this.consumer?.coordinatorId, afterMs: Date.now() - since }, 'consumer group coordinator found again; member rejoined');
        },
        (error: Error) => {
          if (this.leaving) return;
          this.log.warn({ job: this.spec.job, error: describeError(error) }, 'consumer group error; the job restarts');
          this.events?.crashed(error);
        },
      )
      .finally(() => (this.moving = false));
  }

  /** Records `next` as the group's offset of `partition`, for lag tooling; a failure is only logged. */
  commitOffset(partition: number, next: number): void {
    const consumer = this.consumer;
    // While the member looks for its coordinator the client is not yet a member: the next commit
    // after it rejoined records the offsets.
    if (!consumer || this.leaving || this.moving || consumer.closed) return;
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
    this.wake?.();
    // A join under way: let it finish, so the broker's member is known and left below rather than
    // dropped by the client mid-join and held by the broker for a whole session.
    if (this.joining) await boundedWait(this.joining, LEAVE_WAIT_MS);
    const consumer = this.consumer;
    this.leftBehind = (consumer && (await leaveAndClose(consumer))) ?? this.rejoinAs;
  }
}

/**
 * Looks the group's coordinator up and checks that the client's metadata lists it; throws (a
 * retriable error: the next attempt looks again) when not. The join that follows uses both as
 * cached. @platformatic/kafka 1.35 throws an uncaught TypeError (connection-pool `broker.host`)
 * for a group request to a coordinator its metadata does not list, as when FindCoordinator named a
 * dead broker that the controller fenced before the metadata was read.
 */
async function coordinatorListed(consumer: KafkaConsumer, topic: string): Promise<void> {
  const coordinator = (await consumer.findGroupCoordinator()) as number;
  const metadata = await consumer.metadata({ topics: [topic] });
  if (!metadata.brokers.has(coordinator)) throw new Error(`the group coordinator, node ${coordinator}, is not among the cluster's live brokers`);
}

/**
 * Leaves the group (if the client is a member) and closes the client, `LEAVE_WAIT_MS` at most for
 * each. Returns the member id the broker may still hold: the one whose leave failed or timed out.
 */
async function leaveAndClose(consumer: KafkaConsumer): Promise<string | undefined> {
  if (consumer.closed) return undefined;
  const memberId = consumer.memberId ?? undefined;
  // Without a callback the client returns a promise; its typings list the callback form first.
  const left = await boundedWait((consumer.leaveGroup() as unknown as Promise<void>).then(() => true), LEAVE_WAIT_MS);
  await dropClient(consumer);
  return left ? undefined : memberId;
}

/**
 * Closes the client without a LeaveGroup, `LEAVE_WAIT_MS` at most: the broker keeps the member
 * (until its session ends). A leave without a member id sends nothing and ends the client's
 * membership, which stops its heartbeats (closing alone does not): a heartbeat to the coordinator
 * it cached, once fresh metadata no longer lists that broker, makes @platformatic/kafka 1.35 throw
 * an uncaught TypeError (connection-pool `broker.host`).
 */
async function dropClient(consumer: KafkaConsumer): Promise<void> {
  if (consumer.closed) return;
  consumer.memberId = null;
  await boundedWait(consumer.leaveGroup() as unknown as Promise<void>, LEAVE_WAIT_MS);
  await boundedWait(consumer.close(), LEAVE_WAIT_MS);
}
