// Whether a failed send may have been written is decided by one fact: did a Produce request reach
// the socket? kafkajs retries inside send(), and the error it finally throws (say "no leader") can
// hide an earlier attempt the broker appended before its connection dropped (CI caught exactly that).
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SocketFactory } from './client.js';

// Kafka's request framing: int32 size, then int16 api_key; Produce is api key 0.
const PRODUCE_API_KEY = 0;
const KEEP_ALIVE_MS = 60_000;

/** True when `chunk` is a Kafka request frame whose api key is Produce. */
export function isProduceRequest(chunk: unknown): boolean {
  return Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === PRODUCE_API_KEY;
}

/** Counts the Produce requests a kafkajs client wrote to its sockets (give it `socketFactory`). */
export class ProduceWireCounter {
  /** Produce requests handed to a socket so far; compare before and after a send. */
  produceRequests = 0;

  /** kafkajs' own socket factory (plain or TLS, keep-alive), with every write looked at. */
  readonly socketFactory: SocketFactory = ({ host, port, ssl, onConnect }) => {
    const socket = ssl ? tlsConnect({ host, port, servername: host, ...ssl }, onConnect) : netConnect({ host, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    // kafkajs writes each request as one buffer, so its first bytes carry the api key.
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (isProduceRequest(chunk)) this.produceRequests++;
      return write(chunk, ...rest);
    }) as typeof socket.write;
    return socket;
  };
}
