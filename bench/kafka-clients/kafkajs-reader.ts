// kafkajs configured as gamepipe's topic reader configures it (src/runtime/topic-reader.ts):
// eachBatch, no auto commit, the same fetch sizes and wait.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { EndTracker, FETCH, type TopicReader } from './reader.js';

export const readWithKafkajs: TopicReader = async ({ topic, brokers, ends, take }) => {
  const tracker = new EndTracker(ends);
  const kafka = new Kafka({ clientId: 'gamepipe-bench-kafkajs', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-kafka-clients-${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: FETCH.maxWaitMs,
    maxBytesPerPartition: FETCH.maxBytesPerPartition,
    maxBytes: FETCH.maxBytes,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch }) => {
      const partition = batch.partition;
      let last = -1;
      for (const message of batch.messages) {
        last = Number(message.offset);
        take(partition, last, message.value, Number(message.timestamp));
      }
      if (last >= 0) tracker.reached(partition, last);
    },
  });
  await tracker.done;
  await consumer.disconnect();
};
