import { describe, expect, it } from 'vitest';
import { BrokerSecurityError } from '../../src/kafka/broker-connection.js';
import { settingsRefusal } from '../../src/kafka/client-errors.js';

// The shapes @platformatic/kafka nests its errors in (MultipleErrors > NetworkError > cause).
const nested = (inner: object) => ({ message: 'metadata failed 2 times.', code: 'PLT_KFK_MULTIPLE', errors: [{ message: 'Cannot connect to any broker.', code: 'PLT_KFK_MULTIPLE', errors: [{ message: 'Connection to 10.0.0.7:9096 failed.', code: 'PLT_KFK_NETWORK', cause: inner }] }] });

describe('settingsRefusal', () => {
  it('finds a failed SASL authentication and names the broker it was refused by', () => {
    const refused = settingsRefusal(nested({ message: 'SASL authentication failed.', code: 'PLT_KFK_AUTHENTICATION' }));
    expect(refused).toBeInstanceOf(BrokerSecurityError);
    expect(refused!.message).toBe('SASL authentication on broker 10.0.0.7:9096 failed: SASL authentication failed.');
  });

  it('finds a certificate the client does not trust', () => {
    const refused = settingsRefusal(nested({ message: 'self-signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    expect(refused!.message).toBe('TLS handshake with broker 10.0.0.7:9096 failed: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)');
  });

  it('leaves a broker that is down or slow to the caller', () => {
    expect(settingsRefusal(nested({ message: 'connect ECONNREFUSED 10.0.0.7:9096', code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(settingsRefusal(new Error('timed out'))).toBeUndefined();
    expect(settingsRefusal(undefined)).toBeUndefined();
  });
});
