// What a client library error says about the connection settings. @platformatic/kafka nests its
// errors (MultipleErrors > NetworkError > AuthenticationError > ...); the settings' refusal is
// somewhere inside, and callers want it as one line.
import { BrokerSecurityError } from './broker-connection.js';

interface NestedError {
  message?: string;
  code?: string;
  errors?: unknown[];
  cause?: unknown;
}

// TLS failures a retry cannot pass: the peer's certificate is not trusted, does not match, or
// the peer speaks no TLS at all.
const TLS_REFUSALS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL_|ERR_TLS_CERT/;

/**
 * The refusal of the connection settings inside `err` (a failed SASL authentication or a TLS
 * handshake that cannot succeed), as a BrokerSecurityError naming the broker; undefined when
 * `err` is anything else (a broker down, a timeout). Never carries a secret: only the library's
 * and Node's own messages are used.
 */
export function settingsRefusal(err: unknown, broker = 'the broker'): BrokerSecurityError | undefined {
  const e = err as NestedError | undefined;
  if (!e || typeof e !== 'object') return undefined;
  const at = /Connection to (\S+?) failed/.exec(e.message ?? '')?.[1] ?? broker;
  if (e.code === 'PLT_KFK_AUTHENTICATION') return new BrokerSecurityError(`SASL authentication on broker ${at} failed: ${e.message}`);
  if (e.code && TLS_REFUSALS.test(e.code)) return new BrokerSecurityError(`TLS handshake with broker ${at} failed: ${e.message} (${e.code})`);
  for (const inner of [...(e.errors ?? []), e.cause]) {
    const found = settingsRefusal(inner, at);
    if (found) return found;
  }
  return undefined;
}
