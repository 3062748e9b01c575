// Fills a topic with the seed-like workload as fast as kafkajs allows: large batches, several
// sends in flight, partitions assigned round-robin so no per-message hashing slows the producer.
import { bootstrapServers } from '../../src/kafka/connection-settings.js';
import { kafkaClient } from '../../src/kafka/client.js';
import { eventStream, type GameEvent } from './events.js';

/** How `produceEvents` fills the topic. */
export interface ProduceOptions {
  seed?: number;
  /** Partitions of the topic it creates (ignored when the topic exists). Default 2. */
  partitions?: number;
  /** Messages per send. Default 4000 (about 450 KB per partition record batch, under the broker's 1 MB limit). */
  batchSize?: number;
  /** Sends in flight at once. Default 8. */
  inFlight?: number;
  brokers?: string[];
  /** Where the progress and the final rate go; default console.log. Pass () => {} for silence. */
  log?: (line: string) => void;
  /** Events to send instead of the generated stream (the `n` argument then only bounds the count). */
  events?: Iterable<GameEvent>;
}

/** What one `produceEvents` call did. */
export interface ProduceResult {
  topic: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Creates `topic` (if missing) with `partitions` partitions and waits for its leaders. */
export async function ensureTopic(topic: string, partitions = 2, brokers = bootstrapServers()): Promise<void> {
  const admin = kafkaClient('gamepipe-bench-admin', brokers).admin();
  try {
    await admin.createTopic(topic, partitions);
  } finally {
    await admin.disconnect();
  }
}

/** Creates `topic` and produces `n` seed-like events to it, printing and returning events/s. */
export async function produceEvents(topic: string, n: number, options: ProduceOptions = {}): Promise<ProduceResult> {
  const { seed = 1, partitions = 2, batchSize = 4000, inFlight = 8, brokers = bootstrapServers() } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  await ensureTopic(topic, partitions, brokers);
  const producer = kafkaClient('gamepipe-bench-producer', brokers).producer();
  const started = performance.now();
  let sent = 0;
  try {
    const pending = new Set<Promise<unknown>>();
    let batch: { topic: string; key: string; value: string; partition: number }[] = [];
    const flush = async () => {
      const send = producer.send({ acks: 1, messages: batch });
      batch = [];
      pending.add(send);
      void send.finally(() => pending.delete(send)).catch(() => {});
      if (pending.size >= inFlight) await Promise.race(pending);
    };
    const source = options.events ?? eventStream(n, seed);
    for (const event of source) {
      if (sent >= n) break;
      batch.push({ topic, key: event.event_id ?? '', value: JSON.stringify(event), partition: sent % partitions });
      sent++;
      if (batch.length >= batchSize) await flush();
      if (sent % 200_000 === 0) log(`produced ${sent}/${n}`);
    }
    if (batch.length > 0) await flush();
    await Promise.all(pending);
  } finally {
    await producer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const result = { topic, events: sent, seconds, eventsPerSecond: sent / seconds };
  log(`produced ${sent} events to ${topic} in ${seconds.toFixed(2)} s: ${Math.round(result.eventsPerSecond)} events/s`);
  return result;
}
