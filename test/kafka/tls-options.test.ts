import { describe, expect, it } from 'vitest';
import { tlsOptions } from '../../src/kafka/tls-options.js';

describe('tlsOptions', () => {
  it('passes the CA, client certificate, key and passphrase to Node', () => {
    const ca = Buffer.from('ca');
    const cert = Buffer.from('cert');
    const key = Buffer.from('key');
    const options = tlsOptions({ ca, cert, key, keyPassword: 'pw', verifyHostname: true });
    expect(options).toEqual({ ca, cert, key, passphrase: 'pw' });
    expect(options.checkServerIdentity).toBeUndefined();
  });

  it('skips only the host name check when verifyHostname is off', () => {
    const options = tlsOptions({ verifyHostname: false });
    expect(options.checkServerIdentity!('broker.example', {} as never)).toBeUndefined();
    expect(options.rejectUnauthorized).toBeUndefined();
  });
});
