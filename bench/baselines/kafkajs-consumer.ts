// The kafkajs floor: a plain consumer that reads the whole topic and does nothing with it.
// usage: node --import tsx bench/baselines/kafkajs-consumer.ts TOPIC [BROKERS]
// Exits once every partition has been read up to the end offsets it saw at start; prints a JSON line.
import { randomUUID } from 'node:crypto';
import { bootstrapServers } from '../../src/kafka/connection-settings.js';
import { Kafka, logLevel } from 'kafkajs';

const [topic, brokerList] = process.argv.slice(2);
if (!topic) {
  console.error('usage: kafkajs-consumer.ts TOPIC [BROKERS]');
  process.exit(2);
}
const brokers = brokerList ? brokerList.split(',') : bootstrapServers();
// The baseline measures kafkajs itself, so it builds its own client (plaintext, as the bench broker).
const kafka = new Kafka({ clientId: 'gamepipe-bench-kafkajs-baseline', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
await admin.disconnect();
const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
let messages = 0;
const consumer = kafka.consumer({ groupId: `bench-baseline-${randomUUID()}` });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
const finished = new Promise<void>((resolve) => {
  if (remaining.size === 0) resolve();
  void consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      messages += batch.messages.length;
      const last = batch.messages.at(-1);
      if (last && BigInt(last.offset) + 1n >= (ends.get(batch.partition) ?? 0n)) remaining.delete(batch.partition);
      if (remaining.size === 0) resolve();
    },
  });
});
await finished;
await consumer.disconnect();
console.log(JSON.stringify({ messages }));
