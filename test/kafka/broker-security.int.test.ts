import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OAUTH_AUDIENCE, LOCAL_OAUTH_ISSUER, LOCAL_OAUTH_KEY_ID, writeClientProperties, type BrokerSecurity } from '../../src/broker/broker-security.js';
import { BrokerConnection } from '../../src/kafka/broker-connection.js';
import { loadKafkaSettings, type KafkaConnectionSettings } from '../../src/kafka/connection-settings.js';
import { decodeFetchResponse, encodeFetchRequest } from '../../src/kafka/fetch-wire.js';
import { decodeRecords } from '../../src/kafka/record-batches.js';
import { UserError } from '../../src/user-error.js';
import { createTopic, referenceKafka, uniqueTopic } from '../support/kafka.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

// Every connection here gives up after this long: a failure that is not reported by then shows
// as a timeout message, which none of the expected messages match.
const GIVE_UP_MS = 10_000;
const OIDC_CLIENT = { id: 'gamepipe-test-client', secret: 'oidc-Secret-0123456789' };

let broker: OwnBroker;
let security: BrokerSecurity;
let dir: string;
let topic: string;
const sent = Array.from({ length: 40 }, (_, i) => `record ${i}`);

/** A small OIDC token endpoint: client credentials in, an RS256 JWT the local broker trusts out. */
let oidc: Server;
let oidcUrl: string;
let tokensIssued = 0;
let signingKey: KeyObject;

function jwt(key: KeyObject, claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: LOCAL_OAUTH_KEY_ID })}.${part(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'gamepipe-test', iss: LOCAL_OAUTH_ISSUER, aud: LOCAL_OAUTH_AUDIENCE, iat: now, exp: now + 600 };
}

beforeAll(async () => {
  broker = await startOwnBroker('gamepipe-security', { secure: true });
  security = broker.security!;
  signingKey = createPrivateKey(readFileSync(security.files.oauthSigningKey));
  dir = await mkdtemp(join(tmpdir(), 'gamepipe-security-props-'));
  topic = uniqueTopic('secure');
  await createTopic(topic, 1);
  const producer = referenceKafka('gamepipe-test-security').producer();
  await producer.connect();
  await producer.send({ topic, messages: sent.map((value) => ({ value })) });
  await producer.disconnect();

  oidc = createServer((req, res) => {
    const expected = `Basic ${Buffer.from(`${OIDC_CLIENT.id}:${OIDC_CLIENT.secret}`).toString('base64')}`;
    res.setHeader('content-type', 'application/json');
    if (req.method !== 'POST' || req.headers.authorization !== expected) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    tokensIssued++;
    res.end(JSON.stringify({ access_token: jwt(signingKey, claims()), token_type: 'Bearer', expires_in: 600 }));
  });
  await new Promise<void>((done) => oidc.listen(0, '127.0.0.1', done));
  oidcUrl = `http://127.0.0.1:${(oidc.address() as AddressInfo).port}/oauth2/token`;
}, 300_000);

afterAll(async () => {
  await new Promise<void>((done) => (oidc ? oidc.close(() => done()) : done()));
  await broker?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let files = 0;
/** Settings as a user gives them: a properties file read by the one settings loader. */
async function settingsFrom(props: Record<string, string>, env: Record<string, string> = {}): Promise<KafkaConnectionSettings> {
  const file = join(dir, `client-${++files}.properties`);
  await writeFile(file, Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n'));
  return loadKafkaSettings({ KAFKA_CONFIG_FILE: file, ...env });
}

const saslSsl = (mechanism: string, extra: Record<string, string> = {}) => ({
  'bootstrap.servers': `127.0.0.1:${security.saslSslPort}`,
  'security.protocol': 'SASL_SSL',
  'sasl.mechanism': mechanism,
  'ssl.ca.location': security.files.caPem,
  ...extra,
});
const withUser = (mechanism: string) => saslSsl(mechanism, { 'sasl.username': security.username, 'sasl.password': security.password });
const oauthProps = (secret = OIDC_CLIENT.secret) =>
  saslSsl('OAUTHBEARER', { 'sasl.oauthbearer.token.endpoint.url': oidcUrl, 'sasl.oauthbearer.client.id': OIDC_CLIENT.id, 'sasl.oauthbearer.client.secret': secret });

/**
 * Fetches the topic from offset 0 over a new connection: two requests at once, sent as soon as
 * the connection is made (so both wait for its authentication). Resolves with the values read.
 */
async function fetchValues(settings: KafkaConnectionSettings, port: number, host = '127.0.0.1'): Promise<string[][]> {
  const connection = new BrokerConnection(settings, host, port, GIVE_UP_MS);
  const fetchOnce = async () => {
    const body = await connection.request(
      (id) => encodeFetchRequest(id, 'gamepipe-test', { maxWaitMs: 100, minBytes: 0, maxBytes: 1 << 20, readCommitted: true, topic, partitions: [{ partition: 0, offset: 0, maxBytes: 1 << 20 }] }),
      GIVE_UP_MS,
    );
    const [partition] = decodeFetchResponse(body, topic).partitions;
    expect(partition!.errorCode).toBe(0);
    const records = decodeRecords(partition!.records, 0, partition!.aborted);
    return Array.from({ length: records.count }, (_, i) => records.value(i)!.toString());
  };
  try {
    return await Promise.all([fetchOnce(), fetchOnce()]);
  } finally {
    connection.close();
  }
}

/** The error a fetch over these settings fails with. */
async function failure(settings: KafkaConnectionSettings, port: number): Promise<Error> {
  return fetchValues(settings, port).then(
    () => {
      throw new Error('the fetch succeeded');
    },
    (err: Error) => err,
  );
}

/** One line, a UserError (the CLI prints it and exits non-zero), none of the secrets in it. */
function expectOneLineWithout(err: Error, secrets: string[]): void {
  expect(err).toBeInstanceOf(UserError);
  expect(err.message).not.toContain('\n');
  for (const secret of secrets) expect(err.message).not.toContain(secret);
}

describe('our fetch connections on a secure broker', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('read records over SASL_SSL with %s', async (mechanism) => {
    expect(await fetchValues(await settingsFrom(withUser(mechanism)), security.saslSslPort)).toEqual([sent, sent]);
  });

  it('read records over SASL_SSL with OAUTHBEARER, the token from an OIDC endpoint and checked by the broker against its JWKS', async () => {
    const settings = await settingsFrom(oauthProps());
    const before = tokensIssued;
    expect(await fetchValues(settings, security.saslSslPort)).toEqual([sent, sent]);
    // A second connection of the same settings reuses the token.
    expect(await fetchValues(settings, security.saslSslPort)).toEqual([sent, sent]);
    expect(tokensIssued - before).toBe(1);
  });

  it('read records over mutual TLS with the properties file kafka up writes, by IP and by host name', async () => {
    const written = await writeClientProperties(dir, security);
    const mtls = loadKafkaSettings({ KAFKA_CONFIG_FILE: written.mtls });
    expect(mtls.tls?.cert).toBeDefined();
    expect(await fetchValues(mtls, security.sslPort)).toEqual([sent, sent]);
    expect(await fetchValues(mtls, security.sslPort, 'localhost')).toEqual([sent, sent]);
    const scram = loadKafkaSettings({ KAFKA_CONFIG_FILE: written.saslSsl });
    expect(scram.sasl?.mechanism).toBe('SCRAM-SHA-512');
    expect(await fetchValues(scram, security.saslSslPort)).toEqual([sent, sent]);
  });
});

describe('bad security settings fail in one line, naming what is wrong', () => {
  it.each(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])('a wrong %s password names the user, the mechanism and the broker', async (mechanism) => {
    const wrong = 'Wrong-Password-42';
    const err = await failure(await settingsFrom(withUser(mechanism), { KAFKA_SASL_PASSWORD: wrong }), security.saslSslPort);
    expect(err.message).toMatch(new RegExp(`^SASL ${mechanism} authentication of user 'gamepipe' on broker 127\\.0\\.0\\.1:${security.saslSslPort} failed: .*(invalid credentials|Invalid username or password)`));
    expectOneLineWithout(err, [wrong, security.password]);
  });

  it('an OAUTHBEARER token the broker does not trust is refused with its status', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const server = createServer((_req, res) => res.end(JSON.stringify({ access_token: jwt(stranger, claims()), expires_in: 600 })));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
      const err = await failure(await settingsFrom({ ...oauthProps(), 'sasl.oauthbearer.token.endpoint.url': url }), security.saslSslPort);
      expect(err.message).toMatch(new RegExp(`^SASL OAUTHBEARER authentication of OIDC client '${OIDC_CLIENT.id}' on broker 127\\.0\\.0\\.1:${security.saslSslPort} failed: the broker refused the token: status invalid_token`));
      expectOneLineWithout(err, [OIDC_CLIENT.secret]);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('a client secret the token endpoint refuses is named by client, never shown', async () => {
    const wrong = 'not-the-Secret-99';
    const err = await failure(await settingsFrom(oauthProps(wrong)), security.saslSslPort);
    expect(err.message).toMatch(/^SASL OAUTHBEARER authentication of OIDC client 'gamepipe-test-client' on broker .* failed: the OAUTHBEARER token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth2\/token refused client 'gamepipe-test-client': HTTP 401 \(invalid_client\)$/);
    expectOneLineWithout(err, [wrong, OIDC_CLIENT.secret]);
  });

  it("a broker certificate from a CA the client does not trust names the broker and the TLS error", async () => {
    const props: Record<string, string> = withUser('SCRAM-SHA-512');
    delete props['ssl.ca.location'];
    const err = await failure(await settingsFrom(props), security.saslSslPort);
    expect(err.message).toBe(`TLS handshake with broker 127.0.0.1:${security.saslSslPort} failed: self-signed certificate in certificate chain (SELF_SIGNED_CERT_IN_CHAIN)`);
    expectOneLineWithout(err, [security.password]);
  });

  it('a plaintext client on a TLS listener is told so', async () => {
    const plaintext = await settingsFrom({ 'bootstrap.servers': `127.0.0.1:${security.saslSslPort}` });
    for (const port of [security.saslSslPort, security.sslPort]) {
      const err = await failure(plaintext, port);
      expect(err.message).toMatch(new RegExp(`^broker 127\\.0\\.0\\.1:${port} (answered with TLS|closed the connection without answering): its listener (expects|may expect) .*SSL.*, but security.protocol is PLAINTEXT$`));
      expectOneLineWithout(err, []);
    }
  });

  it('a TLS client on a plaintext listener is told the listener may not speak TLS', async () => {
    const err = await failure(await settingsFrom(withUser('SCRAM-SHA-512')), broker.port);
    expect(err.message).toMatch(new RegExp(`^TLS handshake with broker 127\\.0\\.0\\.1:${broker.port} failed: .*; the listener may not speak TLS \\(security.protocol is SASL_SSL\\)$`));
    expectOneLineWithout(err, [security.password]);
  });

  it('a client without a certificate on the mutual TLS listener is told it may need one', async () => {
    const err = await failure(await settingsFrom({ 'bootstrap.servers': `127.0.0.1:${security.sslPort}`, 'security.protocol': 'SSL', 'ssl.ca.location': security.files.caPem }), security.sslPort);
    expect(err.message).toMatch(new RegExp(`^TLS with broker 127\\.0\\.0\\.1:${security.sslPort} failed: .*alert (bad certificate|certificate required).*; the listener may require a client certificate its CA signed \\(ssl.certificate.location and ssl.key.location are not set\\)$`));
    expectOneLineWithout(err, []);
  });

  it('SASL on a listener without SASL says the listener enables no mechanism', async () => {
    const err = await failure(await settingsFrom({ 'bootstrap.servers': `127.0.0.1:${broker.port}`, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'gamepipe', 'sasl.password': security.password }), broker.port);
    expect(err.message).toBe(`SASL PLAIN authentication of user 'gamepipe' on broker 127.0.0.1:${broker.port} failed: the listener does not enable PLAIN (ILLEGAL_SASL_STATE; it enables: none)`);
    expectOneLineWithout(err, [security.password]);
  });

  it('the properties file kafka up writes for SASL_SSL is readable by its owner alone', async () => {
    const written = await writeClientProperties(dir, security);
    expect(await readFile(written.saslSsl, 'utf8')).toContain('sasl.mechanism=SCRAM-SHA-512');
    expect(statSync(written.saslSsl).mode & 0o077).toBe(0);
  });
});
