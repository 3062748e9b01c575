import { referenceKafka } from './kafka.js';
import { seedEvents } from './events.js';

/**
 * Produces seed events to `topic` at about `perSecond` until stopped, one send at a time, through an
 * idempotent producer that retries across leader moves (so a retried send never writes a record
 * twice). `acked` holds the event ids Kafka acknowledged; `stop` throws if a send finally failed.
 */
export function startLoad(topic: string, perSecond = 1000) {
  const producer = referenceKafka('gamepipe-test-load').producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 100, initialRetryTime: 100, maxRetryTime: 1000 } });
  const acked: string[] = [];
  const tickMs = 100;
  let running = true;
  let n = 0;
  const done = (async () => {
    await producer.connect();
    try {
      while (running) {
        const started = Date.now();
        const events = seedEvents(Math.round((perSecond * tickMs) / 1000));
        await producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: String(n++), value: JSON.stringify(e) })) });
        acked.push(...events.map((e) => e.event_id!));
        await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - started))));
      }
    } finally {
      await producer.disconnect();
    }
  })();
  done.catch(() => {});
  return {
    acked,
    async stop(): Promise<string[]> {
      running = false;
      await done;
      return acked;
    },
  };
}
