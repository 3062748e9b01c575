// The local broker's secure listeners (`gamepipe kafka up --security sasl_ssl`): a SASL_SSL
// listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER) and an SSL listener that requires a
// client certificate, beside the plaintext one the rest of the local tooling uses.
//
// Everything they need lives in `<kafka home>/tls/`, made once and reused: a CA, the broker's
// certificate (SAN IP:127.0.0.1 and DNS:localhost) and a client certificate, all made with the
// JDK's keytool, their PEM forms for clients, the local users' passwords, and an RSA key whose
// public half the broker trusts (a JWKS file) for OAUTHBEARER tokens. Local development only:
// the passwords are random but stored in the clear beside the keys, readable by the owner alone.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { UserError } from '../user-error.js';

const run = promisify(execFile);

/** keytool reads the keystores' password from the environment `tool` sets, not from its arguments. */
const STOREPASS = ['-storepass:env', 'GAMEPIPE_STORE_PASSWORD'];

export const BROKER_SECURITY_MODES = ['sasl_ssl'] as const;
export type BrokerSecurityMode = (typeof BROKER_SECURITY_MODES)[number];

/** The user every local mechanism but OAUTHBEARER knows (PLAIN via the listener's JAAS, SCRAM from format time). */
export const LOCAL_SASL_USER = 'gamepipe';
/** The audience and issuer OAUTHBEARER tokens must name for the local broker (Kafka 4.4 requires an issuer to check). */
export const LOCAL_OAUTH_AUDIENCE = 'gamepipe-local-broker';
export const LOCAL_OAUTH_ISSUER = 'gamepipe-local-issuer';
/** The key id of the OAUTHBEARER signing key in the JWKS file; tokens name it in their header. */
export const LOCAL_OAUTH_KEY_ID = 'gamepipe-local';

/** The files of `<kafka home>/tls/`. */
export function securityFiles(kafkaHome: string) {
  const dir = join(kafkaHome, 'tls');
  return {
    dir,
    /** Random passwords: the keystores', the SASL user's. */
    secrets: join(dir, 'secrets.json'),
    caStore: join(dir, 'ca.p12'),
    /** PEM: the CA certificate clients trust (ssl.ca.location). */
    caPem: join(dir, 'ca.pem'),
    brokerStore: join(dir, 'broker.p12'),
    truststore: join(dir, 'truststore.p12'),
    clientStore: join(dir, 'client.p12'),
    /** PEM: the client's certificate and key for mutual TLS (ssl.certificate.location, ssl.key.location). */
    clientCertPem: join(dir, 'client-cert.pem'),
    clientKeyPem: join(dir, 'client-key.pem'),
    /** PEM: the private key OAUTHBEARER tokens for the local broker are signed with (RS256). */
    oauthSigningKey: join(dir, 'oauth-signing-key.pem'),
    /** The JWKS file the broker validates OAUTHBEARER tokens against. */
    jwks: join(dir, 'jwks.json'),
  };
}

export type SecurityFiles = ReturnType<typeof securityFiles>;

interface Secrets {
  storePassword: string;
  saslPassword: string;
}

/** What the broker's configuration, storage format and JVM need for the secure listeners. */
export interface BrokerSecurity {
  mode: BrokerSecurityMode;
  saslSslPort: number;
  sslPort: number;
  files: SecurityFiles;
  username: string;
  /** A secret: the local SASL user's password. */
  password: string;
  /** A secret: the password of every keystore here. */
  storePassword: string;
}

/** The secure listeners' ports for a broker whose plaintext listener is on `port`. */
export function secureListenerPorts(port: number): { saslSslPort: number; sslPort: number } {
  return { saslSslPort: port + 1, sslPort: port + 2 };
}

/**
 * Makes the certificates, keys and passwords in `<kafkaHome>/tls/` unless they are there already,
 * and returns what the broker needs. Made in a temporary folder renamed into place, so an
 * interrupted run never leaves a half-made set that later runs would trust.
 */
export async function prepareBrokerSecurity(kafkaHome: string, ports: { saslSslPort: number; sslPort: number }, mode: BrokerSecurityMode = 'sasl_ssl'): Promise<BrokerSecurity> {
  const files = securityFiles(kafkaHome);
  if (!existsSync(files.secrets)) await makeSecurityFiles(kafkaHome, files);
  const secrets = JSON.parse(await readFile(files.secrets, 'utf8')) as Secrets;
  return { mode, ...ports, files, username: LOCAL_SASL_USER, password: secrets.saslPassword, storePassword: secrets.storePassword };
}

async function makeSecurityFiles(kafkaHome: string, final: SecurityFiles): Promise<void> {
  const workDir = join(kafkaHome, `.tls-${process.pid}-${randomBytes(4).toString('hex')}`);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  const files = securityFiles(kafkaHome);
  const at = (path: string) => join(workDir, path.slice(files.dir.length + 1));
  const secrets: Secrets = { storePassword: randomBytes(18).toString('base64url'), saslPassword: randomBytes(18).toString('base64url') };
  const keytool = (...args: string[]) => tool('keytool', args, secrets.storePassword);
  try {
    const validity = ['-validity', '3650', '-keyalg', 'RSA', '-keysize', '2048'];
    await keytool('-genkeypair', '-alias', 'ca', '-dname', 'CN=gamepipe local CA', '-ext', 'bc:c', ...validity, '-keystore', at(files.caStore), '-storetype', 'PKCS12', ...STOREPASS);
    await keytool('-exportcert', '-rfc', '-alias', 'ca', '-keystore', at(files.caStore), ...STOREPASS, '-file', at(files.caPem));
    // One signed certificate per role: made in its own keystore, signed by the CA, imported back with the CA's.
    const signed = async (alias: string, store: string, dname: string, exts: string[], certOut: string) => {
      await keytool('-genkeypair', '-alias', alias, '-dname', dname, ...validity, '-keystore', store, '-storetype', 'PKCS12', ...STOREPASS);
      const csr = join(workDir, `${alias}.csr`);
      await keytool('-certreq', '-alias', alias, '-keystore', store, ...STOREPASS, '-file', csr);
      await keytool('-gencert', '-rfc', '-alias', 'ca', '-keystore', at(files.caStore), ...STOREPASS, '-infile', csr, '-outfile', certOut, '-validity', '3650', ...exts.flatMap((e) => ['-ext', e]));
      await keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', at(files.caPem), '-keystore', store, ...STOREPASS);
      await keytool('-importcert', '-alias', alias, '-file', certOut, '-keystore', store, ...STOREPASS);
      await rm(csr);
    };
    await signed('broker', at(files.brokerStore), 'CN=localhost', ['SAN=IP:127.0.0.1,DNS:localhost', 'KU=digitalSignature,keyEncipherment', 'EKU=serverAuth,clientAuth'], join(workDir, 'broker-cert.pem'));
    await signed('client', at(files.clientStore), 'CN=gamepipe-client', ['KU=digitalSignature,keyEncipherment', 'EKU=clientAuth'], at(files.clientCertPem));
    await keytool('-importcert', '-noprompt', '-alias', 'ca', '-file', at(files.caPem), '-keystore', at(files.truststore), '-storetype', 'PKCS12', ...STOREPASS);
    await tool('openssl', ['pkcs12', '-in', at(files.clientStore), '-nocerts', '-nodes', '-passin', 'env:GAMEPIPE_STORE_PASSWORD', '-out', at(files.clientKeyPem)], secrets.storePassword);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(at(files.oauthSigningKey), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const jwk = publicKey.export({ format: 'jwk' });
    await writeFile(at(files.jwks), JSON.stringify({ keys: [{ ...jwk, kid: LOCAL_OAUTH_KEY_ID, alg: 'RS256', use: 'sig' }] }, null, 2));
    await writeFile(at(files.secrets), JSON.stringify(secrets), { mode: 0o600 });
    await chmod(at(files.clientKeyPem), 0o600);
    // Renaming onto a folder that is not empty fails: when another process made the set first
    // (two test files starting at once), its set is the one every broker and client uses.
    if (!existsSync(final.secrets)) await rm(final.dir, { recursive: true, force: true });
    await rename(workDir, final.dir).catch((err: NodeJS.ErrnoException) => {
      if (!((err.code === 'ENOTEMPTY' || err.code === 'EEXIST') && existsSync(final.secrets))) throw err;
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const TOOL_HINTS: Record<string, string> = {
  keytool: 'install a JDK 17 or newer (keytool comes with it)',
  openssl: 'install OpenSSL (apt-get install openssl) to turn the client key into PEM',
};

/** Runs keytool or openssl with the keystores' password in GAMEPIPE_STORE_PASSWORD; a failure is one line with the tool's own reason, never the password. */
async function tool(name: string, args: string[], password: string): Promise<void> {
  try {
    await run(name, args, { env: { ...process.env, GAMEPIPE_STORE_PASSWORD: password } });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`'${name}' was not found on PATH; ${TOOL_HINTS[name] ?? 'install it'}`);
    const out = `${(err as { stderr?: string }).stderr ?? ''}\n${(err as { stdout?: string }).stdout ?? ''}`;
    const why = out.split('\n').map((l) => l.trim()).filter(Boolean).at(0) ?? (err as Error).message;
    throw new UserError(`making the local broker's certificates failed: ${name} ${args[0]}: ${why.split(password).join('***')}`);
  }
}

/** A JAAS value: quotes and backslashes escaped. */
const jaasString = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** A .properties value: its reader takes a backslash as an escape. */
const propertyValue = (text: string) => text.replace(/\\/g, '\\\\');

/**
 * `serverProperties` with the secure listeners added: the SASL_SSL and SSL listeners appended to
 * `listeners`, `advertised.listeners` and `listener.security.protocol.map`, then their settings.
 * Inter-broker and controller traffic stay on the plaintext listeners.
 */
export function addSecureListeners(serverProperties: string, security: BrokerSecurity): string {
  const extra: Record<string, string> = {
    listeners: `SASL_SSL://127.0.0.1:${security.saslSslPort},SSL://127.0.0.1:${security.sslPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${security.saslSslPort},SSL://127.0.0.1:${security.sslPort}`,
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,SSL:SSL',
  };
  const seen = new Set<string>();
  const lines = serverProperties.split('\n').map((line) => {
    const key = line.slice(0, line.indexOf('='));
    if (!(key in extra)) return line;
    seen.add(key);
    return `${line},${extra[key]}`;
  });
  const missing = Object.keys(extra).filter((key) => !seen.has(key));
  if (missing.length) throw new Error(`the broker's properties have no ${missing.join(', ')} to add the secure listeners to`);
  const { files, storePassword: pass } = security;
  const sasl = 'listener.name.sasl_ssl';
  const jwksUrl = pathToFileURL(files.jwks).href;
  const secure = [
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${files.brokerStore}`,
    `ssl.keystore.password=${pass}`,
    `ssl.key.password=${pass}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${files.truststore}`,
    `ssl.truststore.password=${pass}`,
    'listener.name.ssl.ssl.client.auth=required',
    `${sasl}.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER`,
    `${sasl}.plain.sasl.jaas.config=${propertyValue(`org.apache.kafka.common.security.plain.PlainLoginModule required user_${security.username}=${jaasString(security.password)};`)}`,
    `${sasl}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${sasl}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `${sasl}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
    `${sasl}.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler`,
    `sasl.oauthbearer.jwks.endpoint.url=${jwksUrl}`,
    `sasl.oauthbearer.expected.audience=${LOCAL_OAUTH_AUDIENCE}`,
    `sasl.oauthbearer.expected.issuer=${LOCAL_OAUTH_ISSUER}`,
    '',
  ];
  return `${lines.join('\n').trimEnd()}\n${secure.join('\n')}`;
}

/** StorageTool arguments that create the SCRAM users at format time. */
export function scramFormatArgs(security: BrokerSecurity): string[] {
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${security.username},password=${security.password}]`]);
}

/** Marks storage formatted with the SCRAM users (a plain file in the log dir, which Kafka ignores). */
export async function markScramUsers(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, SCRAM_MARKER), `${LOCAL_SASL_USER}\n`);
}

/** Refuses storage formatted before without the SCRAM users: a broker on it would reject every SCRAM login. */
export function requireScramUsers(dataDir: string): void {
  if (existsSync(join(dataDir, 'meta.properties')) && !existsSync(join(dataDir, SCRAM_MARKER))) {
    throw new UserError(`the broker's storage ${dataDir} was formatted without --security, so it has no SCRAM users; stop the broker and remove that folder, or use another --port`);
  }
}

const SCRAM_MARKER = 'gamepipe-scram-users';

/**
 * JVM options: Kafka 4 reads a JWKS URL only when this property allows it (it is ignored by 3.9,
 * where every URL is allowed).
 */
export function securityJvmArgs(security: BrokerSecurity): string[] {
  return [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${pathToFileURL(security.files.jwks).href}`];
}

/**
 * Writes the client properties files for the secure listeners and returns their paths:
 * `client-sasl_ssl.properties` (SCRAM-SHA-512 over TLS) and `client-mtls.properties` (a client
 * certificate over TLS). Readable by the owner alone: one holds the password.
 */
export async function writeClientProperties(kafkaHome: string, security: BrokerSecurity): Promise<{ saslSsl: string; mtls: string }> {
  const saslSsl = join(kafkaHome, `client-${security.mode}.properties`);
  const mtls = join(kafkaHome, 'client-mtls.properties');
  const { files } = security;
  await writeFile(
    saslSsl,
    [
      `bootstrap.servers=127.0.0.1:${security.saslSslPort}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.username=${security.username}`,
      `sasl.password=${propertyValue(security.password)}`,
      `ssl.ca.location=${files.caPem}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(
    mtls,
    [`bootstrap.servers=127.0.0.1:${security.sslPort}`, 'security.protocol=SSL', `ssl.ca.location=${files.caPem}`, `ssl.certificate.location=${files.clientCertPem}`, `ssl.key.location=${files.clientKeyPem}`, ''].join('\n'),
    { mode: 0o600 },
  );
  await chmod(saslSsl, 0o600);
  return { saslSsl, mtls };
}
