import { describe, expect, it } from 'vitest';
import { tlsConnectionOptions } from '../../src/kafka/client.js';

describe('tlsConnectionOptions', () => {
  it('passes the CA, client certificate, key and passphrase to Node', () => {
    const ca = Buffer.from('ca');
    const cert = Buffer.from('cert');
    const key = Buffer.from('key');
    const options = tlsConnectionOptions({ ca, cert, key, keyPassword: 'pw', verifyHostname: true });
    expect(options).toEqual({ ca, cert, key, passphrase: 'pw' });
  });

  it('skips only the host name check when verifyHostname is off', () => {
    const options = tlsConnectionOptions({ verifyHostname: false });
    expect(Object.keys(options)).toEqual(['checkServerIdentity']);
    expect(options.checkServerIdentity!('broker.example', {} as never)).toBeUndefined();
  });
});
