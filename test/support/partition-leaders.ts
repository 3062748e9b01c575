import { array, cat, i16, i32, requestOnce, str } from './kafka-wire.js';

/**
 * Partition -> leader of `topic`, as the node at `address` knows it, from a Metadata v4 request of
 * the test's own over a socket of its own: it asks no other node (a client library may send the
 * request to a frozen broker it learned of and wait for it), and gives up after `timeoutMs`.
 */
export async function leadersAsKnownBy(address: string, topic: string, timeoutMs = 1000): Promise<Map<number, number>> {
  const body = cat(i16(3), i16(4), i32(1), str('gamepipe-test-leaders'), array([str(topic)]), Buffer.from([0]));
  const response = await requestOnce(address, cat(i32(body.length), body), 'Metadata', timeoutMs);
  // Metadata v4: correlation id, throttle time, brokers [id, host, port, rack], cluster id,
  // controller id, topics [error, name, internal, partitions [error, index, leader, replicas, isr]].
  let at = 8;
  const skipString = () => {
    const length = response.readInt16BE(at);
    at += 2 + Math.max(0, length);
  };
  const skipInts = () => {
    at += 4 + 4 * response.readInt32BE(at);
  };
  const brokers = response.readInt32BE(at);
  at += 4;
  for (let b = 0; b < brokers; b++) {
    at += 4;
    skipString();
    at += 4;
    skipString();
  }
  skipString();
  at += 4;
  const leaders = new Map<number, number>();
  const topics = response.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    at += 2;
    skipString();
    at += 1;
    const partitions = response.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p++) {
      at += 2;
      const partition = response.readInt32BE(at);
      const leader = response.readInt32BE(at + 4);
      at += 8;
      skipInts();
      skipInts();
      leaders.set(partition, leader);
    }
  }
  return leaders;
}
