/**
 * The client's half of each SASL mechanism gamepipe speaks, as a sequence of messages: what to
 * send first, and what to answer to each message of the broker. Pure but for the token, which
 * comes from the caller's provider.
 */
import type { SaslMechanism } from '../connection-settings.js';
import { ScramClient, ScramError } from './scram.js';

/** The broker refused or sent something the mechanism does not accept. The message names no secret. */
export class SaslMechanismError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslMechanismError';
  }
}

export interface SaslConversation {
  readonly mechanism: SaslMechanism;
  /** The first message to send. */
  first(): Promise<Buffer>;
  /** The answer to the broker's message, or undefined when the exchange is complete on the client's side. */
  next(fromBroker: Buffer): Buffer | undefined;
}

export type SaslCredentials =
  | { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string }
  | { mechanism: 'OAUTHBEARER'; token: () => Promise<string> };

/** A new conversation for one authentication; conversations are never reused. */
export function saslConversation(credentials: SaslCredentials): SaslConversation {
  switch (credentials.mechanism) {
    case 'PLAIN':
      return plain(credentials.username, credentials.password);
    case 'SCRAM-SHA-256':
    case 'SCRAM-SHA-512':
      return scram(credentials.mechanism, credentials.username, credentials.password);
    case 'OAUTHBEARER':
      return oauthBearer(credentials.token);
  }
}

/** RFC 4616: authzid (empty), user and password separated by NUL; the broker answers with nothing. */
function plain(username: string, password: string): SaslConversation {
  return {
    mechanism: 'PLAIN',
    first: async () => Buffer.from(`\0${username}\0${password}`, 'utf8'),
    next: () => undefined,
  };
}

function scram(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string): SaslConversation {
  const client = new ScramClient(mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', username, password);
  let step = 0;
  return {
    mechanism,
    first: async () => Buffer.from(client.first(), 'utf8'),
    next(fromBroker) {
      try {
        if (step++ === 0) return Buffer.from(client.final(fromBroker.toString('utf8')), 'utf8');
        client.verify(fromBroker.toString('utf8'));
        return undefined;
      } catch (err) {
        if (err instanceof ScramError) throw new SaslMechanismError(err.message);
        throw err;
      }
    },
  };
}

/**
 * RFC 7628's client first message with the bearer token. A broker that accepts it answers with
 * nothing; one that refuses it answers with a JSON error (its status names why), and that ends
 * the exchange here.
 */
function oauthBearer(token: () => Promise<string>): SaslConversation {
  return {
    mechanism: 'OAUTHBEARER',
    first: async () => Buffer.from(`n,,\x01auth=Bearer ${await token()}\x01\x01`, 'utf8'),
    next(fromBroker) {
      if (fromBroker.length === 0) return undefined;
      throw new SaslMechanismError(`the broker refused the token: ${oauthErrorStatus(fromBroker)}`);
    },
  };
}

function oauthErrorStatus(fromBroker: Buffer): string {
  try {
    const error = JSON.parse(fromBroker.toString('utf8')) as { status?: unknown; scope?: unknown };
    return `status ${String(error.status)}${error.scope ? `, scope ${String(error.scope)}` : ''}`;
  } catch {
    return `${fromBroker.length} bytes that are no JSON error`;
  }
}
