import { connect } from 'node:net';

/**
 * Asks the cluster for a preferred-leader election of `partitions` of `topic` (ElectLeaders v1,
 * election type 0), through the broker at `address`, which forwards it to the controller.
 * Resolves with each partition's error code (0, or 84 ELECTION_NOT_NEEDED where the preferred
 * replica already leads). kafkajs has no ElectLeaders, so the test speaks it itself.
 */
export async function electPreferredLeaders(address: string, topic: string, partitions: number[]): Promise<Map<number, number>> {
  const str = (s: string) => {
    const b = Buffer.from(s);
    const len = Buffer.alloc(2);
    len.writeInt16BE(b.length);
    return Buffer.concat([len, b]);
  };
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const i16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const body = Buffer.concat([
    i16(43), i16(1), i32(1), str('gamepipe-test-elect'),
    Buffer.from([0]), // election type: preferred
    i32(1), str(topic), i32(partitions.length), ...partitions.map(i32),
    i32(30_000),
  ]);
  const [host, port] = address.split(':');
  const response = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), host!, () => socket.write(Buffer.concat([i32(body.length), body])));
    socket.setTimeout(40_000, () => socket.destroy(new Error(`${address} did not answer ElectLeaders`)));
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) {
        socket.destroy();
        resolve(all.subarray(4, 4 + all.readInt32BE(0)));
      }
    });
  });
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
