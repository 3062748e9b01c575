// @platformatic/kafka with the same fetch sizes and wait as gamepipe's kafkajs reader; a group of
// its own reading from the earliest offsets, no auto commit. Values stay Buffers (its default
// deserializers), so the value -> string -> JSON work is the benchmark's, as with kafkajs.
import { randomUUID } from 'node:crypto';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { EndTracker, FETCH, type TopicReader } from './reader.js';

export const readWithPlatformatic: TopicReader = async ({ topic, brokers, ends, take }) => {
  const tracker = new EndTracker(ends);
  const consumer = new Consumer({
    groupId: `bench-kafka-clients-${randomUUID()}`,
    clientId: 'gamepipe-bench-platformatic',
    bootstrapBrokers: brokers,
    autocommit: false,
    maxWaitTime: FETCH.maxWaitMs,
    maxBytes: FETCH.maxBytes,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
  });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
  stream.on('data', (message) => {
    const offset = Number(message.offset);
    take(message.partition, offset, message.value, Number(message.timestamp));
    tracker.reached(message.partition, offset);
  });
  const failed = new Promise<never>((_, reject) => stream.once('error', reject));
  await Promise.race([tracker.done, failed]);
  await stream.close();
  await consumer.close();
};
