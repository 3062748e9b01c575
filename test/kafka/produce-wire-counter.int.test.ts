import { afterAll, describe, expect, it } from 'vitest';
import { apiKafkaClient, type KafkaProducer } from '../../src/kafka/client.js';
import { isProduceRequest, ProduceWireCounter } from '../../src/kafka/produce-wire-counter.js';
import { bootstrapServers, createTopic, uniqueTopic } from '../support/kafka.js';

describe('ProduceWireCounter', () => {
  let producer: KafkaProducer | undefined;
  afterAll(async () => producer?.disconnect());

  it('counts the Produce requests a real client writes, and not its metadata or producer-id requests', async () => {
    const topic = uniqueTopic('wire');
    await createTopic(topic);
    const wire = new ProduceWireCounter();
    producer = apiKafkaClient(bootstrapServers(), 3000, wire.socketFactory).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    expect(wire.produceRequests).toBe(0);

    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    expect(wire.produceRequests).toBe(1);
    await producer.send({ topic, acks: -1, messages: [{ value: 'c' }] });
    expect(wire.produceRequests).toBe(2);
  });

  it('reads the api key from the frame header: int32 size, then int16 key (Produce is 0)', () => {
    const frame = (apiKey: number) => {
      const b = Buffer.alloc(10);
      b.writeInt32BE(6, 0);
      b.writeInt16BE(apiKey, 4);
      return b;
    };
    expect(isProduceRequest(frame(0))).toBe(true);
    expect(isProduceRequest(frame(3))).toBe(false); // Metadata
    expect(isProduceRequest(frame(22))).toBe(false); // InitProducerId
    expect(isProduceRequest(Buffer.alloc(5))).toBe(false);
    expect(isProduceRequest('not a buffer')).toBe(false);
  });
});
