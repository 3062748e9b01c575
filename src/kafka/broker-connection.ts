import { isIP, connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { KafkaConnectionSettings, SaslSettings } from './connection-settings.js';
import { oauthTokenProvider } from './oauth-token.js';
import { tlsOptions } from './tls-options.js';
import { saslConversation, SaslMechanismError, type SaslCredentials } from './sasl/mechanisms.js';
import {
  decodeSaslAuthenticateResponse,
  decodeSaslHandshakeResponse,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
  saslErrorName,
  SaslProtocolError,
} from './sasl/sasl-wire.js';
import { UserError } from '../user-error.js';

/** The connection to a broker failed, closed or timed out: every request on it is rejected with this. */
export class BrokerConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerConnectionError';
  }
}

/**
 * The connection failed because of the security settings (TLS refused, SASL refused, a plaintext
 * client on a TLS listener): trying again with the same settings fails the same way. A UserError,
 * so the CLI prints its one line. The message names the broker, never a secret.
 */
export class BrokerSecurityError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerSecurityError';
  }
}

// Fetches ask for 1 MiB, and an answer passes that by at most one record batch, which a broker
// bounds by message.max.bytes (1 MiB by default). A TLS alert read as a size is about 352 MB, and
// "HTTP" about 1.2 GB.
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

const SASL_CLIENT_ID = 'gamepipe';

// A SASL session the broker limits (connections.max.reauth.ms) is given up this far before its
// end: the connection then reports itself broken and its owner opens another, while requests in
// flight on it still complete.
const SESSION_END_MARGIN = 0.1;

type Waiting = { resolve(body: Buffer): void; reject(err: Error): void; timer: NodeJS.Timeout };

/** The first bytes of a TLS record (handshake or alert, SSL 3.0 to TLS 1.3's legacy version). */
function looksLikeTls(bytes: Buffer): boolean {
  return (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03 && bytes[2]! <= 0x04;
}

/** An OpenSSL or TLS error in one line: OpenSSL's reason (its messages span lines) and Node's code. */
function tlsReason(err: NodeJS.ErrnoException & { reason?: string }): string {
  const text = err.reason ?? err.message.split('\n')[0]!;
  return err.code && !text.includes(err.code) ? `${text} (${err.code})` : text;
}

/** SASL credentials for one conversation; the OAUTHBEARER token comes from the process's shared provider. */
function credentials(sasl: SaslSettings): SaslCredentials {
  if (sasl.mechanism !== 'OAUTHBEARER') return sasl;
  const provider = oauthTokenProvider(sasl.oauth);
  return { mechanism: 'OAUTHBEARER', token: async () => (await provider()).value };
}

/** Who authenticates, for messages: the user, the OIDC client or MSK IAM; never a secret. */
function principal(sasl: SaslSettings): string {
  if (sasl.mechanism !== 'OAUTHBEARER') return `user '${sasl.username}'`;
  return sasl.oauth.method === 'oidc' ? `OIDC client '${sasl.oauth.clientId}'` : `AWS MSK IAM (${sasl.oauth.region})`;
}

/** Opens a connection to `host:port` as `settings` say (TLS, SASL). Requests sent at once wait for the authentication. */
export function openBrokerConnection(settings: KafkaConnectionSettings, host: string, port: number, connectTimeoutMs: number): BrokerConnection {
  return new BrokerConnection(settings, host, port, connectTimeoutMs);
}

/**
 * One connection to a broker for the topic reader's Fetch requests: TCP or TLS, authenticated with
 * SASL before any request goes out when the settings say so. It frames nothing itself (callers
 * encode whole frames), matches each response to its request by correlation id, and reads every
 * response into one buffer of the size the broker announces: kafkajs joins the socket's chunks
 * again for each chunk, which grows with the square of the size. A connection that fails is done
 * for good; the caller opens another.
 */
export class BrokerConnection {
  private readonly socket: Socket | TLSSocket;
  private readonly waiting = new Map<number, Waiting>();
  private nextCorrelationId = 1;
  private failure: Error | undefined;
  /** Set while SASL authenticates: requests wait for it. */
  private authenticating: Promise<void> | undefined;
  /** When a SASL session the broker limits should be given up (ms since the epoch). */
  private sessionEndsAt = Infinity;
  private sessionTimer: NodeJS.Timeout | undefined;
  private connected = false;
  /** The TLS handshake succeeded. */
  private secure = false;
  /** Some response arrived: the peer speaks Kafka on this protocol. */
  private answered = false;
  /** The response being read: its 4 size bytes first, then its body. */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  private frame: Buffer | undefined;
  private frameFilled = 0;

  constructor(
    private readonly settings: KafkaConnectionSettings,
    readonly host: string,
    readonly port: number,
    connectTimeoutMs: number,
  ) {
    const tls = settings.tls;
    if (tls) {
      // SNI takes host names only; a certificate for an IP address is checked by its SAN IP entries.
      this.socket = tlsConnect({ ...tlsOptions(tls), host, port, servername: isIP(host) ? undefined : host });
      this.socket.setNoDelay(true);
    } else {
      this.socket = connect({ host, port, noDelay: true });
    }
    this.socket.setTimeout(connectTimeoutMs, () => this.fail(`connecting to ${this.address} timed out after ${connectTimeoutMs} ms${tls && this.connected ? ' (in the TLS handshake)' : ''}`));
    this.socket.once('connect', () => {
      this.connected = true;
      if (!tls) this.socket.setTimeout(0);
    });
    if (tls) {
      this.socket.once('secureConnect', () => {
        this.secure = true;
        this.socket.setTimeout(0);
      });
    }
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.failOnSocketError(err));
    this.socket.on('close', () => this.failOnClose());
    if (settings.sasl) {
      const sasl = settings.sasl;
      this.authenticating = this.authenticate(sasl, connectTimeoutMs).then(
        () => (this.authenticating = undefined),
        (err: Error) => {
          this.fail(this.authFailure(sasl, err));
          throw this.failure;
        },
      );
      // Requests chain on it and see its failure; a connection nobody asked anything of must not
      // leave an unhandled rejection behind.
      this.authenticating.catch(() => {});
    }
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** True once the connection failed or was closed, or its SASL session is about to end. */
  get broken(): boolean {
    return this.failure !== undefined || Date.now() >= this.sessionEndsAt;
  }

  /**
   * Sends the frame `encode` builds for the correlation id it is given; resolves with the response
   * after its correlation id. A request not answered within `timeoutMs` breaks the connection.
   * A request made while SASL authenticates is sent once it succeeded, and fails with it.
   */
  request(encode: (correlationId: number) => Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.authenticating) return this.authenticating.then(() => this.send(encode, timeoutMs, `${this.address} did not answer within ${timeoutMs} ms`));
    return this.send(encode, timeoutMs, `${this.address} did not answer within ${timeoutMs} ms`);
  }

  close(): void {
    this.fail(`connection to ${this.address} closed`);
  }

  private send(encode: (correlationId: number) => Buffer, timeoutMs: number, timeoutMessage: string): Promise<Buffer> {
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
      const timer = setTimeout(() => this.fail(timeoutMessage), timeoutMs);
      this.waiting.set(correlationId, { resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  /**
   * SaslHandshake names the mechanism, then SaslAuthenticate carries the mechanism's messages
   * until the client's side is done and the broker reports no error. Each step has the connect
   * timeout to answer.
   */
  private async authenticate(sasl: SaslSettings, stepTimeoutMs: number): Promise<void> {
    const late = (what: string) => `${this.address} did not answer the SASL ${what} within ${stepTimeoutMs} ms`;
    const handshake = decodeSaslHandshakeResponse(
      await this.send((id) => encodeSaslHandshake(id, SASL_CLIENT_ID, sasl.mechanism), stepTimeoutMs, late('handshake')),
    );
    if (handshake.errorCode !== 0) {
      const enabled = handshake.mechanisms.length ? handshake.mechanisms.join(', ') : 'none';
      throw new SaslMechanismError(`the listener does not enable ${sasl.mechanism} (${saslErrorName(handshake.errorCode)}; it enables: ${enabled})`);
    }
    const conversation = saslConversation(credentials(sasl));
    let message: Buffer | undefined = await conversation.first();
    while (message) {
      const toSend = message;
      const answer = decodeSaslAuthenticateResponse(await this.send((id) => encodeSaslAuthenticate(id, SASL_CLIENT_ID, toSend), stepTimeoutMs, late('authentication')));
      if (answer.errorCode !== 0) throw new SaslMechanismError(answer.errorMessage ?? saslErrorName(answer.errorCode));
      message = conversation.next(answer.authBytes);
      if (!message) this.startSession(answer.sessionLifetimeMs);
    }
  }

  private startSession(lifetimeMs: number): void {
    if (lifetimeMs <= 0) return;
    this.sessionEndsAt = Date.now() + lifetimeMs * (1 - SESSION_END_MARGIN);
    // The broker closes a connection whose session ended at its next request; this one is closed
    // first, by then no longer handed out for requests.
    this.sessionTimer = setTimeout(() => this.fail(`the SASL session on ${this.address} ended`), lifetimeMs);
    this.sessionTimer.unref();
  }

  /** The one-line reason an authentication failed: mechanism, who, broker, the broker's reason; no secret. */
  private authFailure(sasl: SaslSettings, err: Error): BrokerSecurityError | Error {
    if (this.failure) return this.failure;
    if (!(err instanceof SaslMechanismError) && !(err instanceof SaslProtocolError) && !(err instanceof UserError)) return err;
    let reason = err.message;
    if (sasl.mechanism !== 'OAUTHBEARER' && sasl.password) reason = reason.split(sasl.password).join('***');
    return new BrokerSecurityError(`SASL ${sasl.mechanism} authentication of ${principal(sasl)} on broker ${this.address} failed: ${reason}`);
  }

  private failOnSocketError(err: NodeJS.ErrnoException & { reason?: string }): void {
    const tls = this.settings.tls;
    if (tls && this.connected && !this.secure) {
      const plaintextHint = /disconnected before secure TLS|ECONNRESET|EPIPE|wrong version number|packet length too long/i.test(`${err.message} ${err.code}`)
        ? `; the listener may not speak TLS (security.protocol is ${this.settings.securityProtocol})`
        : '';
      return this.fail(new BrokerSecurityError(`TLS handshake with broker ${this.address} failed: ${tlsReason(err)}${plaintextHint}`));
    }
    // With TLS 1.3 the broker checks the client's certificate after the client's side of the
    // handshake is done: its refusal arrives as an alert on the first read.
    if (tls && err.code?.startsWith('ERR_SSL_')) {
      const certificateHint = /alert (bad certificate|certificate required|unknown ca)/i.test(err.reason ?? err.message)
        ? `; the listener may require a client certificate its CA signed (ssl.certificate.location and ssl.key.location${tls.cert ? ' are set' : ' are not set'})`
        : '';
      return this.fail(new BrokerSecurityError(`TLS with broker ${this.address} failed: ${tlsReason(err)}${certificateHint}`));
    }
    this.fail(`connection to ${this.address} failed: ${err.message}`);
  }

  private failOnClose(): void {
    // A listener that expects TLS or SASL closes a connection whose first bytes are something else.
    if (this.connected && !this.answered && !this.settings.tls && this.waiting.size > 0) {
      const expects = this.settings.sasl ? 'TLS (security.protocol SASL_SSL)' : 'TLS or SASL';
      return this.fail(new BrokerSecurityError(`broker ${this.address} closed the connection without answering: its listener may expect ${expects}, but security.protocol is ${this.settings.securityProtocol}`));
    }
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
        if (!this.answered && !this.settings.tls && looksLikeTls(this.sizeBytes)) {
          return this.fail(new BrokerSecurityError(`broker ${this.address} answered with TLS: its listener expects SSL or SASL_SSL, but security.protocol is ${this.settings.securityProtocol}`));
        }
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
    this.answered = true;
    const correlationId = frame.readInt32BE(0);
    const waiting = this.waiting.get(correlationId);
    if (!waiting) return this.fail(`${this.address} answered a request that was not sent`);
    this.waiting.delete(correlationId);
    clearTimeout(waiting.timer);
    waiting.resolve(frame.subarray(4));
  }

  private fail(reason: string | Error): void {
    if (this.failure) return;
    this.failure = typeof reason === 'string' ? new BrokerConnectionError(reason) : reason;
    clearTimeout(this.sessionTimer);
    this.socket.destroy();
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(this.failure);
    }
    this.waiting.clear();
  }
}
