import { describe, expect, it } from 'vitest';
import { createTopic, referenceKafka, uniqueTopic } from '../support/kafka.js';

describe('the test broker', () => {
  it('carries messages produced with kafkajs to a consumer, in order per partition', async () => {
    const topic = uniqueTopic('roundtrip');
    await createTopic(topic, 2);
    const kafka = referenceKafka('roundtrip-test');
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `k${i % 5}`, value: JSON.stringify({ i }) }));

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const received: { key: string; i: number }[] = [];
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((done) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), i: JSON.parse(message.value!.toString()).i });
          if (received.length === sent.length) done();
        },
      });
    });
    await consumer.disconnect();

    expect(received.map((r) => r.i).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    // Same key -> same partition, so each key's messages arrive in the order they were sent.
    for (const key of new Set(received.map((r) => r.key))) {
      const order = received.filter((r) => r.key === key).map((r) => r.i);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
