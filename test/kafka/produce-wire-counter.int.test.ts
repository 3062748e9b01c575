import { afterAll, describe, expect, it } from 'vitest';
import { apiKafkaClient, type KafkaProducer } from '../../src/kafka/client.js';
import { ProduceWireCounter } from '../../src/kafka/produce-wire-counter.js';
import { bootstrapServers, createTopic, uniqueTopic } from '../support/kafka.js';

describe('ProduceWireCounter', () => {
  const producers: KafkaProducer[] = [];
  afterAll(async () => Promise.all(producers.map((p) => p.close())));

  it('counts the Produce requests of the producer it watches, and not its metadata or producer-id requests', async () => {
    const topic = uniqueTopic('wire');
    await createTopic(topic);
    const kafka = apiKafkaClient(bootstrapServers(), 3000);
    const watched = kafka.producer({ idempotent: true, acks: -1 });
    const other = kafka.producer({ idempotent: true, acks: -1 });
    producers.push(watched, other);
    const wire = new ProduceWireCounter();
    wire.watch(watched);
    await watched.initIdempotentProducer({});
    expect(wire.produceRequests).toBe(0);

    await watched.send({ messages: [{ topic, value: 'a' }, { topic, value: 'b' }] });
    expect(wire.produceRequests).toBe(1);
    await other.send({ messages: [{ topic, value: 'x' }] });
    expect(wire.produceRequests).toBe(1);
    await watched.send({ messages: [{ topic, value: 'c' }] });
    expect(wire.produceRequests).toBe(2);
    wire.forget();
    await watched.send({ messages: [{ topic, value: 'd' }] });
    expect(wire.produceRequests).toBe(2);
  });
});
