// Publishes events one request at a time from the caller's view, but sends them to Kafka in groups:
// while one produce call is in flight, new events queue; when it returns, the whole queue goes in
// the next call (group commit). Each caller's promise settles only with the broker's answer.
import type { KafkaClient, KafkaProducer } from './client.js';
import { ProduceWireCounter } from './produce-wire-counter.js';

/** Why an event was not acknowledged: the broker is unreachable, too slow, or we are shutting down. */
export class NotAcknowledged extends Error {
  /**
   * True when the event was on the wire and Kafka stopped answering: it may have been written.
   * The caller must not say "not recorded" then, or a client's retry would record it twice.
   */
  readonly fateUnknown: boolean;

  constructor(message: string, options: { fateUnknown?: boolean } = {}) {
    super(message);
    this.name = 'NotAcknowledged';
    this.fateUnknown = options.fateUnknown ?? false;
  }
}

/** Settings of the group-commit producer. */
export interface AckedProducerOptions {
  topic: string;
  /** Longest an event may wait in the queue; one not yet sent by then is refused, never sent. */
  ackTimeoutMs: number;
  /** Most events queued at once; beyond it publish refuses at once rather than pile up memory. */
  maxQueued?: number;
  /** Independent producers, each with one send in flight; default 4. */
  lanes?: number;
}

interface Pending {
  key: string;
  value: string;
  deadline: number;
  settled: boolean;
  resolve(): void;
  reject(err: Error): void;
}

// A produce request stays well under the broker's default message.max.bytes (1 MiB per batch).
const MAX_BATCH_BYTES = 512 * 1024;
const MAX_BATCH_EVENTS = 4096;

// One idempotent producer (its own client, producer id and connection) with at most one send in flight.
interface Lane {
  kafka: KafkaClient;
  /** Counts the lane's Produce requests, so a failed send knows whether it reached the broker. */
  wire: ProduceWireCounter;
  /** The lane's producer once connected, or the connection under way, so two callers share one. */
  producer: Promise<KafkaProducer> | null;
  busy: boolean;
}

/**
 * An idempotent, acks=all producer whose publish resolves once the broker has the event.
 * `lanes` independent producers each keep one group-commit send in flight, so the broker's
 * round trip overlaps with the next batch filling up.
 */
export class AckedProducer {
  private queue: Pending[] = [];
  private scheduled = false;
  private closing = false;
  private readonly lanes: Lane[];
  private drained: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;
  private readonly maxQueued: number;

  /** `newClient` builds the client profile each lane's producer is made from. */
  constructor(newClient: () => KafkaClient, private readonly options: AckedProducerOptions) {
    this.maxQueued = options.maxQueued ?? 50_000;
    this.lanes = Array.from({ length: options.lanes ?? 4 }, () => ({ kafka: newClient(), wire: new ProduceWireCounter(), producer: null, busy: false }));
    // Events still waiting in the queue when their time is up are refused and never sent,
    // so a 503 never hides an event that is written later.
    this.sweeper = setInterval(() => this.expireQueued(), 200);
    this.sweeper.unref();
  }

  /** Resolves when the broker acknowledged this event; rejects with NotAcknowledged otherwise. */
  publish(key: string, value: string): Promise<void> {
    if (this.closing) return Promise.reject(new NotAcknowledged('the API is shutting down'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new NotAcknowledged(`too many events waiting for Kafka (${this.queue.length})`));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ key, value, deadline: Date.now() + this.options.ackTimeoutMs, settled: false, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // One turn of the event loop lets requests parsed in the same I/O phase share a send.
        setImmediate(() => this.dispatch());
      }
    });
  }

  /** Connects every lane ahead of the first request; a failure is only retried on use. */
  async warmUp(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => this.connected(lane).catch(() => {})));
  }

  /** Refuses new events, waits for queued and in-flight ones to be answered, then disconnects. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.lanes.some((l) => l.busy) || this.queue.length > 0) {
      await new Promise<void>((done) => this.drained.push(done));
    }
    clearInterval(this.sweeper);
    await Promise.all(this.lanes.map((lane) => this.dropProducer(lane)));
  }

  private dispatch(): void {
    this.scheduled = false;
    for (const lane of this.lanes) {
      if (this.queue.length === 0) return;
      if (!lane.busy) void this.runLane(lane);
    }
  }

  private async runLane(lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      while (this.queue.length > 0) await this.sendBatch(lane, this.takeBatch());
    } finally {
      lane.busy = false;
      if (this.lanes.every((l) => !l.busy)) for (const done of this.drained.splice(0)) done();
    }
  }

  private takeBatch(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH_EVENTS && (n === 0 || bytes < MAX_BATCH_BYTES)) {
      bytes += this.queue[n].value.length;
      n++;
    }
    return this.queue.splice(0, n).filter((p) => !p.settled);
  }

  private async sendBatch(lane: Lane, batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    // The client's own timeouts (see apiKafkaClient in client.ts) answer well before this; it only guards against a
    // send that never returns, and then the event's fate is honestly unknown.
    const backstop = setTimeout(() => {
      const err = new NotAcknowledged('Kafka did not answer in time', { fateUnknown: true });
      for (const p of batch) settle(p, err);
    }, 2 * this.options.ackTimeoutMs + 2000);
    const produceRequestsBefore = lane.wire.produceRequests;
    try {
      const producer = await this.connected(lane);
      // The broker's wait for acks is the client's `timeout` (apiKafkaClient: the ack timeout).
      await producer.send({ acks: -1, messages: batch.map((p) => ({ topic: this.options.topic, key: p.key, value: p.value })) });
      for (const p of batch) settle(p);
    } catch (err) {
      // Not recorded only when no Produce request left this lane; otherwise an attempt the client retried
      // past may have been appended, whatever the last attempt's error says.
      const reachedWire = lane.wire.produceRequests !== produceRequestsBefore;
      const reason = new NotAcknowledged(`Kafka is unreachable: ${(err as Error).message}`, { fateUnknown: reachedWire });
      for (const p of batch) settle(p, reason);
      // A fresh producer id restarts sequence numbers cleanly after a failure the old one may not recover from.
      await this.dropProducer(lane);
    } finally {
      clearTimeout(backstop);
    }
  }

  private connected(lane: Lane): Promise<KafkaProducer> {
    if (lane.producer) return lane.producer;
    // Each lane keeps exactly one send in flight (and an idempotent producer of this client one
    // request per connection), which keeps its sequence numbers gapless. Asking for the producer
    // id here is what connects it.
    const producer = lane.kafka.producer({ idempotent: true, acks: -1 });
    lane.wire.watch(producer);
    const connecting = producer.initIdempotentProducer({}).then(
      () => producer,
      async (err: Error) => {
        if (lane.producer === connecting) lane.producer = null;
        await producer.close().catch(() => {});
        throw err;
      },
    );
    lane.producer = connecting;
    return connecting;
  }

  private async dropProducer(lane: Lane): Promise<void> {
    const producer = lane.producer;
    lane.producer = null;
    const connected = await producer?.catch(() => null);
    await connected?.close().catch(() => {});
  }

  private expireQueued(): void {
    const now = Date.now();
    if (this.queue.length === 0 || this.queue[0].deadline > now) return;
    const err = new NotAcknowledged(`Kafka did not take the event within ${this.options.ackTimeoutMs} ms; it was not sent`);
    this.queue = this.queue.filter((p) => {
      if (p.deadline > now) return true;
      settle(p, err);
      return false;
    });
  }
}

function settle(p: Pending, err?: Error): void {
  if (p.settled) return;
  p.settled = true;
  if (err) p.reject(err);
  else p.resolve();
}
