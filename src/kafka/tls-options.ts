import type { ConnectionOptions } from 'node:tls';
import type { TlsSettings } from './connection-settings.js';

/**
 * Node's TLS options for `settings`, for every TLS connection to a broker (ours and the clients'):
 * the CA to trust (Node's bundled roots when none), the client certificate and key for mutual TLS,
 * and no host name check when ssl.endpoint.identification.algorithm is none. The certificate chain
 * is always checked.
 */
export function tlsOptions(settings: TlsSettings): ConnectionOptions {
  return {
    ca: settings.ca,
    cert: settings.cert,
    key: settings.key,
    passphrase: settings.keyPassword,
    ...(settings.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
  };
}
