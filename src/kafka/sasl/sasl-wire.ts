/**
 * Kafka's SASL requests on the wire (https://kafka.apache.org/protocol): SaslHandshake v1, which
 * names the mechanism, and SaslAuthenticate v2, which carries the mechanism's messages. Pure: no I/O.
 * Frames include their int32 size prefix; responses are read from the body after the correlation
 * id (what BrokerConnection.request resolves with).
 */

import { KafkaProtocolError, WireReader } from '../wire-reader.js';
import { requestHeader } from '../wire-writer.js';

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

/** SaslHandshake v1: the mechanism as an int16 string. */
export function encodeSaslHandshake(correlationId: number, clientId: string, mechanism: string): Buffer {
  return requestHeader(SASL_HANDSHAKE_API_KEY, SASL_HANDSHAKE_VERSION, correlationId, clientId, false).string('the SASL mechanism', mechanism).frame();
}

/** SaslAuthenticate v2: auth_bytes as compact bytes, then no tagged fields. */
export function encodeSaslAuthenticate(correlationId: number, clientId: string, authBytes: Buffer): Buffer {
  return requestHeader(SASL_AUTHENTICATE_API_KEY, SASL_AUTHENTICATE_VERSION, correlationId, clientId, true).compactBytes(authBytes).noTaggedFields().frame();
}

/** Runs a decoder, its truncated-body errors becoming SaslProtocolErrors (the connection reports those as security errors). */
function decodeSasl<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof KafkaProtocolError) throw new SaslProtocolError(err.message);
    throw err;
  }
}

export interface SaslHandshakeResponse {
  errorCode: number;
  /** The mechanisms the listener has enabled. */
  mechanisms: string[];
}

export function decodeSaslHandshakeResponse(body: Buffer): SaslHandshakeResponse {
  return decodeSasl(() => {
    const reader = new WireReader(body, 'the SaslHandshake response');
    const errorCode = reader.int16('the error code');
    const mechanisms: string[] = [];
    for (let i = reader.count('mechanisms', 2); i > 0; i--) mechanisms.push(reader.string('a mechanism') ?? '');
    return { errorCode, mechanisms };
  });
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
  return decodeSasl(() => {
    const reader = new WireReader(body, 'the SaslAuthenticate response');
    reader.skipTaggedFields('the response header');
    const errorCode = reader.int16('the error code');
    const errorMessage = reader.compactString('the error message');
    // A null auth_bytes reads as an empty view: the field is not nullable, and a mechanism given
    // empty bytes it did not expect fails on its own terms.
    const authBytes = reader.compactBytes('the auth bytes');
    const sessionLifetimeMs = Number(reader.bigint64('the session lifetime'));
    reader.skipTaggedFields('the response');
    return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
  });
}
