import { connect, type Socket } from 'node:net';

/** The connection to a broker failed, closed or timed out: every request on it is rejected with this. */
class BrokerConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerConnectionError';
  }
}

// Fetches ask for 1 MiB, and an answer passes that by at most one record batch, which a broker
// bounds by message.max.bytes (1 MiB by default). A TLS alert read as a size is about 352 MB, and
// "HTTP" about 1.2 GB.
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

type Waiting = { resolve(body: Buffer): void; reject(err: Error): void; timer: NodeJS.Timeout };

/**
 * One plaintext TCP connection to a broker for the topic reader's Fetch requests. It frames
 * nothing itself (callers encode whole frames), matches each response to its request by
 * correlation id, and reads every response into one buffer of the size the broker announces:
 * kafkajs joins the socket's chunks again for each chunk, which grows with the square of the size.
 * A connection that fails is done for good; the caller opens another.
 */
export class BrokerConnection {
  private readonly socket: Socket;
  private readonly waiting = new Map<number, Waiting>();
  private nextCorrelationId = 1;
  private failure: BrokerConnectionError | undefined;
  /** The response being read: its 4 size bytes first, then its body. */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  private frame: Buffer | undefined;
  private frameFilled = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    connectTimeoutMs: number,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.setTimeout(connectTimeoutMs, () => this.fail(`connecting to ${this.address} timed out after ${connectTimeoutMs} ms`));
    this.socket.once('connect', () => this.socket.setTimeout(0));
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (err) => this.fail(`connection to ${this.address} failed: ${err.message}`));
    this.socket.on('close', () => this.fail(`connection to ${this.address} closed`));
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once the connection failed or was closed. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Sends the frame `encode` builds for the correlation id it is given; resolves with the response
   * after its correlation id. A request not answered within `timeoutMs` breaks the connection.
   */
  request(encode: (correlationId: number) => Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff || 1;
    // Encoded first: a request that cannot be encoded rejects without leaving a wait behind.
    let frame: Buffer;
    try {
      frame = encode(correlationId);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`${this.address} did not answer within ${timeoutMs} ms`), timeoutMs);
      this.waiting.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.fail(`connection to ${this.address} closed`);
  }

  private read(chunk: Buffer): void {
    let at = 0;
    // A connection that failed while reading this chunk reads no more of it.
    while (at < chunk.length && !this.failure) {
      if (!this.frame) {
        const take = Math.min(4 - this.sizeFilled, chunk.length - at);
        chunk.copy(this.sizeBytes, this.sizeFilled, at, at + take);
        this.sizeFilled += take;
        at += take;
        if (this.sizeFilled < 4) return;
        const size = this.sizeBytes.readInt32BE(0);
        // A peer that is no plaintext Kafka listener (TLS, HTTP) announces absurd sizes: refused
        // rather than allocated (an allocation that fails would throw out of this socket handler).
        if (size < 4 || size > MAX_RESPONSE_BYTES) return this.fail(`${this.address} sent a response of ${size} bytes`);
        this.frame = Buffer.allocUnsafeSlow(size);
        this.frameFilled = 0;
      }
      const take = Math.min(this.frame.length - this.frameFilled, chunk.length - at);
      chunk.copy(this.frame, this.frameFilled, at, at + take);
      this.frameFilled += take;
      at += take;
      if (this.frameFilled === this.frame.length) this.answer(this.frame);
    }
  }

  private answer(frame: Buffer): void {
    this.frame = undefined;
    this.sizeFilled = 0;
    const correlationId = frame.readInt32BE(0);
    const waiting = this.waiting.get(correlationId);
    if (!waiting) return this.fail(`${this.address} answered a request that was not sent`);
    this.waiting.delete(correlationId);
    clearTimeout(waiting.timer);
    waiting.resolve(frame.subarray(4));
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new BrokerConnectionError(message);
    this.socket.destroy();
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(this.failure);
    }
    this.waiting.clear();
  }
}
