import { randomUUID } from 'node:crypto';
import { kafkaClient } from '../../src/kafka/client.js';

/** A seed-like event, shaped like the game API's (values are strings, as the API sends them). */
export type GameEvent = Record<string, string>;

const HOSTS = ['user1.comcast.com', 'user2.att.com', 'user3.verizon.net'];
const COLORS = ['red', 'blue', 'green'];
const SIZES = ['small', 'medium', 'large'];

/** `n` events of several types in a fixed rotation, each with a unique event_id and request headers. */
export function seedEvents(n: number): GameEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const base: GameEvent = {
      event_id: randomUUID(),
      event_ts: new Date(Date.UTC(2026, 10, 22, 12, 0, 0, i)).toISOString(),
      Host: HOSTS[i % HOSTS.length]!,
      'User-Agent': 'ApacheBench/2.3',
      Accept: '*/*',
    };
    switch (i % 5) {
      case 0:
        return { event_type: 'purchase_sword', color: COLORS[i % 3]!, quantity: String(1 + (i % 4)), ...base };
      case 1:
        return { event_type: 'purchase_horse', speed: String(i % 7), size: SIZES[i % 3]!, quantity: String(i % 3), ...base };
      case 2:
        return { event_type: i % 2 ? 'join_guild' : 'leave_guild', username: `player${i % 11}`, guildname: `guild${i % 3}`, action: i % 2 ? 'join' : 'leave', ...base };
      case 3:
        return { event_type: 'default', ...base };
      default:
        return { event_type: 'purchase_spellbook', item: 'spellbook', school: 'fire', level: String(i % 9), ...base };
    }
  });
}

/** Produces records (objects as JSON, strings as they are) to `topic`, keyed round-robin over partitions. */
export async function produce(topic: string, records: (GameEvent | string)[], batchSize = 1000): Promise<void> {
  // Tests produce to topics nobody created, as Kafka's own tools may. Idempotent: a send whose
  // answer failed for some partitions (a topic created just before, its leaders still settling) is
  // sent again whole, and only the broker's sequence check keeps the partitions that had taken it
  // from holding its records twice.
  const producer = kafkaClient('gamepipe-test-producer').producer({ autocreateTopics: true, idempotent: true });
  try {
    for (let i = 0; i < records.length; i += batchSize) {
      await producer.send({
        messages: records.slice(i, i + batchSize).map((r, j) => ({
          topic,
          key: String(i + j),
          value: typeof r === 'string' ? r : JSON.stringify(r),
        })),
      });
    }
  } finally {
    await producer.close();
  }
}
