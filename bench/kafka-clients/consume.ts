// One measured consumer process of `npm run bench:kafka-clients`.
// usage: node --import tsx bench/kafka-clients/consume.ts CLIENT TOPIC BROKERS ENDS_JSON
// Reads the topic with CLIENT and does per record what gamepipe's topic reader does (value -> utf8
// string -> JSON.parse, offset and timestamp as numbers); prints one JSON line: the records, how
// many parsed to objects, and when the first and last record arrived (ms since process start).
import { readWithKafkajs } from './kafkajs-reader.js';
import { readWithPlatformatic } from './platformatic-reader.js';
import type { TopicReader } from './reader.js';

const READERS: Record<string, TopicReader> = { kafkajs: readWithKafkajs, platformatic: readWithPlatformatic };

const [client, topic, brokers, endsJson] = process.argv.slice(2);
const read = READERS[client ?? ''];
if (!read || !topic || !brokers || !endsJson) {
  console.error(`usage: consume.ts ${Object.keys(READERS).join('|')} TOPIC BROKERS ENDS_JSON`);
  process.exit(2);
}
const ends = new Map(Object.entries(JSON.parse(endsJson) as Record<string, number>).map(([p, end]) => [Number(p), end]));
let records = 0;
let objects = 0;
let offsetSum = 0;
let firstMs = 0;
let lastMs = 0;
const total = [...ends.values()].reduce((a, b) => a + b, 0);
await read({
  topic,
  brokers: brokers.split(','),
  ends,
  take: (_partition, offset, value, timestamp) => {
    if (records++ === 0) firstMs = performance.now();
    if (records === total) lastMs = performance.now();
    offsetSum += offset;
    if (value === null || Number.isNaN(timestamp)) return;
    // What decodeRecord does (src/runtime/record-decoder.ts); counting objects keeps it observable.
    const event: unknown = JSON.parse(value.toString('utf8'));
    if (event !== null && typeof event === 'object') objects++;
  },
});
console.log(JSON.stringify({ client, records, objects, offsetSum, firstMs, lastMs }));
process.exit(0);
