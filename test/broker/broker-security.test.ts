import { getProperties } from 'properties-file';
import { describe, expect, it } from 'vitest';
import { addSecureListeners, scramFormatArgs, securityFiles, type BrokerSecurity } from '../../src/broker/broker-security.js';

const security: BrokerSecurity = {
  mode: 'sasl_ssl',
  saslSslPort: 9301,
  sslPort: 9302,
  files: securityFiles('/home/k'),
  username: 'gamepipe',
  password: 'pw"1',
  storePassword: 'store',
};

const BASE = [
  'listeners=PLAINTEXT://127.0.0.1:9300,CONTROLLER://127.0.0.1:9400',
  'advertised.listeners=PLAINTEXT://127.0.0.1:9300',
  'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  'inter.broker.listener.name=PLAINTEXT',
  '',
].join('\n');

describe('the secure listeners of the local broker', () => {
  it('adds SASL_SSL and SSL listeners beside the plaintext ones, and their settings', () => {
    const props = getProperties(addSecureListeners(BASE, security));
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:9300,CONTROLLER://127.0.0.1:9400,SASL_SSL://127.0.0.1:9301,SSL://127.0.0.1:9302');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9300,SASL_SSL://127.0.0.1:9301,SSL://127.0.0.1:9302');
    expect(props['listener.security.protocol.map']).toBe('PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL');
    expect(props['inter.broker.listener.name']).toBe('PLAINTEXT');
    expect(props['listener.name.ssl.ssl.client.auth']).toBe('required');
    expect(props['listener.name.sasl_ssl.sasl.enabled.mechanisms']).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER');
    expect(props['listener.name.sasl_ssl.plain.sasl.jaas.config']).toBe('org.apache.kafka.common.security.plain.PlainLoginModule required user_gamepipe="pw\\"1";');
    expect(props['sasl.oauthbearer.jwks.endpoint.url']).toBe('file:///home/k/tls/jwks.json');
    expect(props['ssl.keystore.location']).toBe('/home/k/tls/broker.p12');
  });

  it('refuses properties without the listener lines to extend', () => {
    expect(() => addSecureListeners('node.id=1\n', security)).toThrow(/no listeners, advertised.listeners, listener.security.protocol.map/);
  });

  it('creates the SCRAM user for both hashes at format time', () => {
    expect(scramFormatArgs(security)).toEqual(['--add-scram', 'SCRAM-SHA-256=[name=gamepipe,password=pw"1]', '--add-scram', 'SCRAM-SHA-512=[name=gamepipe,password=pw"1]']);
  });
});
