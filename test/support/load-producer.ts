import type { Producer } from 'kafkajs';
import { referenceKafka } from './kafka.js';
import { seedEvents } from './events.js';

/**
 * Produces seed events to `topic` at about `perSecond` until stopped, one send at a time, through
 * the reference client's idempotent producer. A send that finally fails (a leader move can outlast
 * its retries) leaves its events' fate unknown: the producer is replaced and the load goes on.
 * What the topic holds is read back by an independent reader (kcat), not taken from here: `acked`
 * and `unknown` only say what the producer was told.
 */
export function startLoad(topic: string, perSecond = 1000) {
  const kafka = referenceKafka('gamepipe-test-load');
  const newProducer = () => kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  const acked: string[] = [];
  const unknown: string[] = [];
  const tickMs = 100;
  let running = true;
  let n = 0;
  let producer: Producer = newProducer();
  const done = (async () => {
    while (running) {
      const started = Date.now();
      const events = seedEvents(Math.round((perSecond * tickMs) / 1000));
      try {
        await producer.connect();
        await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: String(n++), value: JSON.stringify(e) })) });
        acked.push(...events.map((e) => e.event_id!));
      } catch {
        unknown.push(...events.map((e) => e.event_id!));
        await producer.disconnect().catch(() => {});
        producer = newProducer();
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
    }
    await producer.disconnect().catch(() => {});
  })();
  return {
    acked,
    unknown,
    async stop(): Promise<void> {
      running = false;
      await done;
    },
  };
}
