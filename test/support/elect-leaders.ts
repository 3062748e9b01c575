import { i16, i32, requestOnce, str } from './kafka-wire.js';

/**
 * Asks the cluster for a preferred-leader election of `partitions` of `topic` (ElectLeaders v1,
 * election type 0), through the broker at `address`, which forwards it to the controller.
 * Resolves with each partition's error code (0, or 84 ELECTION_NOT_NEEDED where the preferred
 * replica already leads). kafkajs has no ElectLeaders, so the test speaks it itself.
 */
export async function electPreferredLeaders(address: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
  const body = Buffer.concat([
    i16(43), i16(1), i32(1), str('gamepipe-test-elect'),
    Buffer.from([0]), // election type: preferred
    i32(1), str(topic), i32(partitions.length), ...partitions.map((p) => i32(p)),
    i32(30_000),
  ]);
  const response = await requestOnce(address, Buffer.concat([i32(body.length), body]), 'ElectLeaders', 40_000);
  // correlation id, throttle time, top-level error code, then [topic [partition, error, message]].
  let at = 4 + 4;
  const topError = response.readInt16BE(at);
  at += 2;
  if (topError !== 0) throw new Error(`ElectLeaders failed with error code ${topError}`);
  const errors = new Map<number, number>();
  const topics = response.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    at += 2 + response.readInt16BE(at);
    const count = response.readInt32BE(at);
    at += 4;
    for (let p = 0; p < count; p++) {
      const partition = response.readInt32BE(at);
      const code = response.readInt16BE(at + 4);
      at += 6;
      const messageLength = response.readInt16BE(at);
      at += 2 + Math.max(0, messageLength);
      errors.set(partition, code);
    }
  }
  return errors;
}
