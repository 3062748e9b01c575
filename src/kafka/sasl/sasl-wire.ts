/**
 * Kafka's SASL requests on the wire (https://kafka.apache.org/protocol): SaslHandshake v1, which
 * names the mechanism, and SaslAuthenticate v2, which carries the mechanism's messages. Pure: no I/O.
 * Frames include their int32 size prefix; responses are read from the body after the correlation
 * id (what BrokerConnection.request resolves with).
 */

export const SASL_HANDSHAKE_API_KEY = 17;
export const SASL_HANDSHAKE_VERSION = 1;
export const SASL_AUTHENTICATE_API_KEY = 36;
/** v2 is flexible: request header v2 and response header v1 carry tagged fields. */
export const SASL_AUTHENTICATE_VERSION = 2;

/** Kafka error codes the SASL exchange names in its messages. */
const SASL_ERRORS = new Map<number, string>([
  [33, 'UNSUPPORTED_SASL_MECHANISM'],
  [34, 'ILLEGAL_SASL_STATE'],
  [35, 'UNSUPPORTED_VERSION'],
  [58, 'SASL_AUTHENTICATION_FAILED'],
]);

export function saslErrorName(code: number): string {
  return SASL_ERRORS.get(code) ?? `error ${code}`;
}

/** A SASL response that is truncated or malformed. */
export class SaslProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslProtocolError';
  }
}

function header(apiKey: number, version: number, correlationId: number, clientId: Buffer, flexible: boolean): Buffer {
  const head = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + (flexible ? 1 : 0));
  let at = head.writeInt16BE(apiKey, 0);
  at = head.writeInt16BE(version, at);
  at = head.writeInt32BE(correlationId, at);
  at = head.writeInt16BE(clientId.length, at);
  at += clientId.copy(head, at);
  // Request header v2 ends with an empty tagged-field section; the client id stays an int16 string.
  if (flexible) head.writeUInt8(0, at);
  return head;
}

function frame(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function unsignedVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** SaslHandshake v1: the mechanism as an int16 string. */
export function encodeSaslHandshake(correlationId: number, clientId: string, mechanism: string): Buffer {
  const name = Buffer.from(mechanism, 'utf8');
  const length = Buffer.alloc(2);
  length.writeInt16BE(name.length, 0);
  return frame([header(SASL_HANDSHAKE_API_KEY, SASL_HANDSHAKE_VERSION, correlationId, Buffer.from(clientId, 'utf8'), false), length, name]);
}

/** SaslAuthenticate v2: auth_bytes as compact bytes (unsigned varint length + 1), then no tagged fields. */
export function encodeSaslAuthenticate(correlationId: number, clientId: string, authBytes: Buffer): Buffer {
  return frame([
    header(SASL_AUTHENTICATE_API_KEY, SASL_AUTHENTICATE_VERSION, correlationId, Buffer.from(clientId, 'utf8'), true),
    unsignedVarint(authBytes.length + 1),
    authBytes,
    Buffer.from([0]),
  ]);
}

class Reader {
  at = 0;
  constructor(
    private readonly body: Buffer,
    private readonly what: string,
  ) {}

  private need(bytes: number, field: string): void {
    if (this.at + bytes > this.body.length) throw new SaslProtocolError(`${this.what} ended in its ${field}`);
  }

  int16(field: string): number {
    this.need(2, field);
    const value = this.body.readInt16BE(this.at);
    this.at += 2;
    return value;
  }

  int32(field: string): number {
    this.need(4, field);
    const value = this.body.readInt32BE(this.at);
    this.at += 4;
    return value;
  }

  int64(field: string): bigint {
    this.need(8, field);
    const value = this.body.readBigInt64BE(this.at);
    this.at += 8;
    return value;
  }

  bytes(length: number, field: string): Buffer {
    this.need(length, field);
    const value = this.body.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }

  string(field: string): string {
    return this.bytes(this.int16(field), field).toString('utf8');
  }

  uvarint(field: string): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, field);
      const byte = this.body[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new SaslProtocolError(`${this.what} has a varint of more than 5 bytes in its ${field}`);
  }

  /** Skips a tagged-field section (count, then tag, size and data for each). */
  taggedFields(field: string): void {
    for (let count = this.uvarint(field); count > 0; count--) {
      this.uvarint(field);
      this.bytes(this.uvarint(field), field);
    }
  }
}

export interface SaslHandshakeResponse {
  errorCode: number;
  /** The mechanisms the listener has enabled. */
  mechanisms: string[];
}

export function decodeSaslHandshakeResponse(body: Buffer): SaslHandshakeResponse {
  const reader = new Reader(body, 'the SaslHandshake response');
  const errorCode = reader.int16('error code');
  const count = reader.int32('mechanism count');
  const mechanisms: string[] = [];
  for (let i = 0; i < count; i++) mechanisms.push(reader.string('mechanisms'));
  return { errorCode, mechanisms };
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** How long the session lasts before the broker wants it authenticated again; 0 for no limit. */
  sessionLifetimeMs: number;
}

/** The body after the correlation id: response header v1's tagged fields first, then the v2 body. */
export function decodeSaslAuthenticateResponse(body: Buffer): SaslAuthenticateResponse {
  const reader = new Reader(body, 'the SaslAuthenticate response');
  reader.taggedFields('header');
  const errorCode = reader.int16('error code');
  const messageLength = reader.uvarint('error message');
  const errorMessage = messageLength === 0 ? null : reader.bytes(messageLength - 1, 'error message').toString('utf8');
  const authLength = reader.uvarint('auth bytes');
  if (authLength === 0) throw new SaslProtocolError('the SaslAuthenticate response has null auth bytes');
  const authBytes = reader.bytes(authLength - 1, 'auth bytes');
  const sessionLifetimeMs = Number(reader.int64('session lifetime'));
  reader.taggedFields('tagged fields');
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}
