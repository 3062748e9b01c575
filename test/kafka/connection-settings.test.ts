import { describe, expect, it } from 'vitest';
import { localBrokerPort } from '../../src/broker/brokers.js';
import { describeKafkaSettings, loadKafkaSettings, type KafkaConnectionSettings } from '../../src/kafka/connection-settings.js';
import { UserError } from '../../src/user-error.js';

// The loader reads files through a function it is given: here a map of fake files, so every
// property and message is checked without touching the disk.

const CONFIG = '/etc/gamepipe/client.properties';
const SECRETS = ['hunter2-password', 'key-passphrase-42', 'oidc-client-secret-7', 'env-password-9'];

function files(properties: string, extra: Record<string, string> = {}): (path: string) => Buffer {
  const all: Record<string, string> = { [CONFIG]: properties, ...extra };
  return (path) => {
    if (!(path in all)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return Buffer.from(all[path]!);
  };
}

function load(properties: string, env: Record<string, string> = {}, extra: Record<string, string> = {}): KafkaConnectionSettings {
  return loadKafkaSettings({ KAFKA_CONFIG_FILE: CONFIG, ...env }, files(properties, extra));
}

/** The UserError loading throws; fails when it throws none or another error. */
function failure(properties: string, env: Record<string, string> = {}, extra: Record<string, string> = {}): string {
  try {
    load(properties, env, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    for (const secret of SECRETS) expect(message).not.toContain(secret);
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the settings to be refused');
}

const PEM = { '/certs/ca.pem': 'CA PEM', '/certs/client.pem': 'CERT PEM', '/certs/client.key': 'KEY PEM' };

describe('loadKafkaSettings', () => {
  it('talks to the local broker in plaintext with no file and no environment', () => {
    const settings = loadKafkaSettings({}, files(''));
    expect(settings).toEqual({ brokers: [`127.0.0.1:${localBrokerPort()}`], securityProtocol: 'PLAINTEXT', external: false, source: 'the local broker' });
  });

  it('reads bootstrap.servers and security.protocol (any case), and client.id without complaint', () => {
    const settings = load('bootstrap.servers = a.example:9092, b.example:9093\nsecurity.protocol=plaintext\nclient.id=my-app\n');
    expect(settings).toEqual({ brokers: ['a.example:9092', 'b.example:9093'], securityProtocol: 'PLAINTEXT', external: true, source: CONFIG });
  });

  it('reads every TLS property: CA, client certificate and key, key password, hostname verification', () => {
    const settings = load(
      [
        'bootstrap.servers=kafka.example:9093',
        'security.protocol=SSL',
        'ssl.ca.location=/certs/ca.pem',
        'ssl.certificate.location=/certs/client.pem',
        'ssl.key.location=/certs/client.key',
        'ssl.key.password=key-passphrase-42',
        'ssl.endpoint.identification.algorithm=none',
      ].join('\n'),
      {},
      PEM,
    );
    expect(settings.securityProtocol).toBe('SSL');
    expect(settings.sasl).toBeUndefined();
    expect(settings.tls).toEqual({
      ca: Buffer.from('CA PEM'),
      cert: Buffer.from('CERT PEM'),
      key: Buffer.from('KEY PEM'),
      keyPassword: 'key-passphrase-42',
      verifyHostname: false,
    });
    // https is the default, as in Kafka's Java client.
    expect(load('bootstrap.servers=k:9093\nsecurity.protocol=SSL').tls).toEqual({ ca: undefined, cert: undefined, key: undefined, verifyHostname: true });
  });

  it('reads SASL PLAIN and SCRAM users (sasl.mechanism or librdkafka\'s sasl.mechanisms)', () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const settings = load(`bootstrap.servers=k:9092\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=${mechanism.toLowerCase()}\nsasl.username=alice\nsasl.password=hunter2-password`);
      expect(settings.sasl).toEqual({ mechanism, username: 'alice', password: 'hunter2-password' });
      expect(settings.tls).toBeUndefined();
    }
    const sslSasl = load('bootstrap.servers=k:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanisms=PLAIN\nsasl.username=alice\nsasl.password=hunter2-password');
    expect(sslSasl.sasl).toEqual({ mechanism: 'PLAIN', username: 'alice', password: 'hunter2-password' });
    expect(sslSasl.tls?.verifyHostname).toBe(true);
  });

  it('reads OAUTHBEARER with OIDC client credentials and with Amazon MSK IAM', () => {
    const oidc = load(
      [
        'bootstrap.servers=k:9092',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=OAUTHBEARER',
        'sasl.oauthbearer.token.endpoint.url=https://idp.example/oauth2/token',
        'sasl.oauthbearer.client.id=gamepipe',
        'sasl.oauthbearer.client.secret=oidc-client-secret-7',
        'sasl.oauthbearer.scope=kafka',
      ].join('\n'),
    );
    expect(oidc.sasl).toEqual({
      mechanism: 'OAUTHBEARER',
      oauth: { method: 'oidc', tokenEndpointUrl: 'https://idp.example/oauth2/token', clientId: 'gamepipe', clientSecret: 'oidc-client-secret-7', scope: 'kafka' },
    });
    const iam = 'bootstrap.servers=b-1.msk.example:9098\nsecurity.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.method=aws_msk_iam\n';
    expect(load(`${iam}sasl.oauthbearer.aws.region=eu-west-1`).sasl).toEqual({ mechanism: 'OAUTHBEARER', oauth: { method: 'aws_msk_iam', region: 'eu-west-1' } });
    expect(load(iam, { AWS_REGION: 'us-east-2' }).sasl).toEqual({ mechanism: 'OAUTHBEARER', oauth: { method: 'aws_msk_iam', region: 'us-east-2' } });
  });

  it('lets KAFKA_BROKERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD override the file', () => {
    const settings = load('bootstrap.servers=file.example:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=file-user\nsasl.password=hunter2-password', {
      KAFKA_BROKERS: 'env.example:9096',
      KAFKA_SASL_USERNAME: 'env-user',
      KAFKA_SASL_PASSWORD: 'env-password-9',
    });
    expect(settings.brokers).toEqual(['env.example:9096']);
    expect(settings.source).toBe('KAFKA_BROKERS');
    expect(settings.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'env-user', password: 'env-password-9' });
    // Secrets only in the environment: the file names neither user nor password.
    expect(load('security.protocol=SASL_SSL\nsasl.mechanism=PLAIN', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'env-password-9' }).sasl).toEqual({
      mechanism: 'PLAIN',
      username: 'u',
      password: 'env-password-9',
    });
    // KAFKA_BROKERS alone names a cluster.
    expect(loadKafkaSettings({ KAFKA_BROKERS: 'x:1' }, files(''))).toMatchObject({ brokers: ['x:1'], external: true, source: 'KAFKA_BROKERS' });
  });
});

describe('the settings loader refuses bad settings in one line naming the file and the property', () => {
  it('an unreadable properties file', () => {
    expect(loadKafkaSettings.bind(null, { KAFKA_CONFIG_FILE: '/nowhere/client.properties' }, files(''))).toThrow(
      'cannot read the Kafka properties file /nowhere/client.properties: ENOENT',
    );
  });

  it('an unknown property, with the known name it is closest to', () => {
    expect(failure('sasl.mechansim=PLAIN')).toBe(`${CONFIG}: unknown property 'sasl.mechansim' (did you mean 'sasl.mechanism'?)`);
    expect(failure('bootstrap.server=k:9092')).toBe(`${CONFIG}: unknown property 'bootstrap.server' (did you mean 'bootstrap.servers'?)`);
    expect(failure('ssl.keystore.location=/x.jks')).toMatch(new RegExp(`^${CONFIG}: unknown property 'ssl.keystore.location' \\(gamepipe reads: bootstrap.servers, security.protocol, `));
  });

  it('brokers that are not host:port', () => {
    expect(failure('bootstrap.servers=kafka.example')).toBe(`${CONFIG}: bootstrap.servers: 'kafka.example' is not host:port`);
    expect(failure('', { KAFKA_BROKERS: 'a:1,b:99999' })).toBe("KAFKA_BROKERS: 'b:99999' is not host:port");
  });

  it('a protocol, mechanism or OAUTHBEARER method Kafka does not have', () => {
    expect(failure('security.protocol=TLS')).toBe(`${CONFIG}: security.protocol: 'TLS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`);
    expect(failure('security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI')).toBe(
      `${CONFIG}: sasl.mechanism: 'GSSAPI' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER`,
    );
    expect(failure('security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.method=kerberos')).toBe(
      `${CONFIG}: sasl.oauthbearer.method: 'kerberos' is not one of oidc, default, aws_msk_iam`,
    );
    expect(failure('security.protocol=SSL\nssl.endpoint.identification.algorithm=http')).toBe(`${CONFIG}: ssl.endpoint.identification.algorithm: 'http' is not https or none`);
  });

  it('SASL without a mechanism, a user or a password', () => {
    expect(failure('security.protocol=SASL_SSL')).toBe(`${CONFIG}: sasl.mechanism: security.protocol SASL_SSL needs a sasl.mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`);
    expect(failure('security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.password=hunter2-password')).toBe(
      `${CONFIG}: sasl.username: PLAIN needs a user name (sasl.username or KAFKA_SASL_USERNAME)`,
    );
    expect(failure('security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=alice')).toBe(
      `${CONFIG}: sasl.password: SCRAM-SHA-512 needs a password (sasl.password or KAFKA_SASL_PASSWORD)`,
    );
  });

  it('OAUTHBEARER missing its OIDC settings or its region', () => {
    const oauth = 'security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n';
    expect(failure(oauth)).toBe(`${CONFIG}: sasl.oauthbearer.token.endpoint.url: OAUTHBEARER with OIDC needs sasl.oauthbearer.token.endpoint.url`);
    expect(failure(`${oauth}sasl.oauthbearer.token.endpoint.url=idp.example/token`)).toBe(
      `${CONFIG}: sasl.oauthbearer.token.endpoint.url: 'idp.example/token' is not an http(s) URL`,
    );
    expect(failure(`${oauth}sasl.oauthbearer.token.endpoint.url=https://idp/t`)).toBe(`${CONFIG}: sasl.oauthbearer.client.id: OAUTHBEARER with OIDC needs sasl.oauthbearer.client.id`);
    expect(failure(`${oauth}sasl.oauthbearer.token.endpoint.url=https://idp/t\nsasl.oauthbearer.client.id=c`)).toBe(
      `${CONFIG}: sasl.oauthbearer.client.secret: OAUTHBEARER with OIDC needs sasl.oauthbearer.client.secret`,
    );
    expect(failure(`${oauth}sasl.oauthbearer.method=aws_msk_iam`)).toBe(
      `${CONFIG}: sasl.oauthbearer.aws.region: aws_msk_iam needs the cluster's region (sasl.oauthbearer.aws.region or AWS_REGION)`,
    );
  });

  it('a certificate file that cannot be read', () => {
    expect(failure('security.protocol=SSL\nssl.ca.location=/certs/missing.pem')).toBe(`${CONFIG}: ssl.ca.location: cannot read /certs/missing.pem: ENOENT`);
  });

  it('half of mutual TLS', () => {
    expect(failure('security.protocol=SSL\nssl.certificate.location=/certs/client.pem', {}, PEM)).toBe(
      `${CONFIG}: ssl.key.location: mutual TLS needs both ssl.certificate.location and ssl.key.location`,
    );
    expect(failure('security.protocol=SSL\nssl.key.location=/certs/client.key\nssl.key.password=key-passphrase-42', {}, PEM)).toBe(
      `${CONFIG}: ssl.certificate.location: mutual TLS needs both ssl.certificate.location and ssl.key.location`,
    );
  });
});

describe('describeKafkaSettings', () => {
  it('names brokers, protocol, mechanism, user and client certificate, and never a secret', () => {
    const scram = load('bootstrap.servers=k1:9096,k2:9096\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.username=alice\nsasl.password=hunter2-password');
    expect(describeKafkaSettings(scram)).toBe('k1:9096,k2:9096 over SASL_SSL, SCRAM-SHA-512 as alice');
    const env = load('security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN', { KAFKA_BROKERS: 'e:1', KAFKA_SASL_USERNAME: 'bob', KAFKA_SASL_PASSWORD: 'env-password-9' });
    expect(describeKafkaSettings(env)).toBe('e:1 over SASL_PLAINTEXT, PLAIN as bob');
    const oidc = load(
      'bootstrap.servers=k:9092\nsecurity.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=https://idp/t\nsasl.oauthbearer.client.id=c\nsasl.oauthbearer.client.secret=oidc-client-secret-7',
    );
    expect(describeKafkaSettings(oidc)).toBe('k:9092 over SASL_SSL, OAUTHBEARER (oidc)');
    const mtls = load(
      'bootstrap.servers=k:9093\nsecurity.protocol=SSL\nssl.certificate.location=/certs/client.pem\nssl.key.location=/certs/client.key\nssl.key.password=key-passphrase-42',
      {},
      PEM,
    );
    expect(describeKafkaSettings(mtls)).toBe('k:9093 over SSL, with a client certificate');
    for (const settings of [scram, env, oidc, mtls]) {
      for (const secret of [...SECRETS, 'KEY PEM']) expect(describeKafkaSettings(settings)).not.toContain(secret);
    }
  });
});
