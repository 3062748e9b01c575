import type { Producer, RecordMetadata } from 'kafkajs';
import { referenceKafka } from './kafka.js';
import { seedEvents } from './events.js';

/** One send of the load: when it started and ended, its partition, events, and what the producer answered. */
export interface LoadSend {
  started: number;
  ended: number;
  partition: number;
  ids: string[];
  answer?: RecordMetadata[];
  error?: string;
}

/**
 * Produces seed events to each of `partitions` partitions of `topic`, about `perSecond` in all,
 * until stopped, through the reference client's idempotent producer (acks=all).
 *
 * Each partition has a loop and a producer of its own, and every send holds one partition's
 * events only. kafkajs 2.2.4 keeps a send's broker answers across its retries: when a leader dies
 * under a send spanning several brokers, the retry skips its partitions if their new leader had
 * answered for others, and the send resolves without them (tulios/kafkajs#1303). One partition
 * per send has one broker per send, whose answer is dropped when it fails. Separate loops also
 * keep the partitions of live leaders loaded while a dead leader's sends retry.
 *
 * An event is `acked` only if the answer names its partition with no error; a send that fails
 * leaves its events' fate `unknown` (the producer is replaced and the load goes on). What the topic
 * holds is read back by an independent reader (kcat).
 */
export function startLoad(topic: string, partitions: number, perSecond = 1000) {
  // A produce request a frozen leader holds is given up after 3 s (kafkajs waits 30 s by default)
  // and sent again, to the new leader once the metadata names it.
  const kafka = referenceKafka('gamepipe-test-load', undefined, { requestTimeout: 3000 });
  const newProducer = () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const acked: string[] = [];
  const unknown: string[] = [];
  const sends: LoadSend[] = [];
  const tickMs = 100;
  const perSend = Math.max(1, Math.round((perSecond * tickMs) / 1000 / partitions));
  let running = true;
  let n = 0;

  async function loadPartition(partition: number): Promise<void> {
    let producer: Producer = newProducer();
    while (running) {
      const started = Date.now();
      const events = seedEvents(perSend);
      const ids = events.map((e) => e.event_id!);
      try {
        await producer.connect();
        const answer = await producer.send({ topic, acks: -1, messages: events.map((e) => ({ partition, key: String(n++), value: JSON.stringify(e) })) });
        sends.push({ started, ended: Date.now(), partition, ids, answer });
        if (answer.some((a) => a.partition === partition && a.errorCode === 0)) acked.push(...ids);
        else unknown.push(...ids);
      } catch (e) {
        sends.push({ started, ended: Date.now(), partition, ids, error: String(e) });
        unknown.push(...ids);
        await producer.disconnect().catch(() => {});
        producer = newProducer();
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
    }
    await producer.disconnect().catch(() => {});
  }

  const done = Promise.all(Array.from({ length: partitions }, (_, p) => loadPartition(p)));
  return {
    acked,
    unknown,
    sends,
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}
