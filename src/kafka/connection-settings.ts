// How gamepipe reaches its Kafka cluster: the one place connection settings are read. Every
// connection (the topic reader's own fetch connections, group members, admins, the API's
// producer, `status`, the console) is built from a KafkaConnectionSettings, never from the
// environment directly.
//
// The settings come from a client properties file with the names Kafka's Java client and
// librdkafka use (`--kafka-config FILE` on any command, or KAFKA_CONFIG_FILE), then the
// environment: KAFKA_BROKERS, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD override the file, so
// secrets can stay out of it. With neither, gamepipe talks to its local broker in plaintext.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getProperties } from 'properties-file';
import { localBrokerPort } from '../broker/brokers.js';
import { UserError } from '../user-error.js';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** TLS for every broker connection (security.protocol SSL or SASL_SSL). */
export interface TlsSettings {
  /** PEM CA certificates to trust instead of Node's bundled roots (ssl.ca.location). */
  ca?: Buffer;
  /** PEM client certificate chain and key, for mutual TLS (ssl.certificate.location, ssl.key.location). */
  cert?: Buffer;
  key?: Buffer;
  /** The key's passphrase (ssl.key.password). A secret. */
  keyPassword?: string;
  /** Whether the broker's certificate must name the host connected to (ssl.endpoint.identification.algorithm=https, the default). */
  verifyHostname: boolean;
}

/** An OAUTHBEARER token and when it stops being valid (ms since the epoch). */
export interface OAuthToken {
  value: string;
  expiresAt: number;
}

/** OAUTHBEARER: where tokens come from. */
export type OAuthSettings =
  | {
      /** OIDC client credentials grant (sasl.oauthbearer.method=oidc, the default). */
      method: 'oidc';
      tokenEndpointUrl: string;
      clientId: string;
      /** A secret. */
      clientSecret: string;
      scope?: string;
    }
  | {
      /** Amazon MSK IAM: a token signed with the standard AWS credentials (sasl.oauthbearer.method=aws_msk_iam). */
      method: 'aws_msk_iam';
      /** The cluster's AWS region (sasl.oauthbearer.aws.region, else AWS_REGION). */
      region: string;
    };

export type SaslSettings =
  | { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; /** A secret. */ password: string }
  | { mechanism: 'OAUTHBEARER'; oauth: OAuthSettings };

export interface KafkaConnectionSettings {
  /** host:port pairs to bootstrap from. */
  brokers: string[];
  securityProtocol: SecurityProtocol;
  /** Set exactly when securityProtocol is SSL or SASL_SSL. */
  tls?: TlsSettings;
  /** Set exactly when securityProtocol is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: SaslSettings;
  /** True when the user named the cluster (a properties file or KAFKA_BROKERS): no local broker is started then. */
  external: boolean;
  /** Where the settings came from, for messages: the properties file, 'KAFKA_BROKERS', or 'the local broker'. */
  source: string;
}

/** The properties gamepipe reads; any other name in the file is refused (a typo must not pass silently). */
const KNOWN = new Set([
  'bootstrap.servers',
  'security.protocol',
  'sasl.mechanism',
  'sasl.mechanisms', // librdkafka's spelling
  'sasl.username',
  'sasl.password',
  'ssl.ca.location',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
  'sasl.oauthbearer.method',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.id',
  'sasl.oauthbearer.client.secret',
  'sasl.oauthbearer.scope',
  'sasl.oauthbearer.aws.region',
  'client.id',
]);

type Env = Record<string, string | undefined>;

/** Reads a file the settings name; its content is never put in a message. */
type ReadFile = (path: string) => Buffer;

/**
 * The settings for `env` (process.env by default): the properties file KAFKA_CONFIG_FILE names,
 * then the environment's overrides. Throws a UserError naming the file, the property and why.
 */
export function loadKafkaSettings(env: Env = process.env, readFile: ReadFile = (path) => readFileSync(path)): KafkaConnectionSettings {
  const file = env.KAFKA_CONFIG_FILE?.trim();
  const path = file ? resolve(file) : undefined;
  let props: Record<string, string> = {};
  if (path) {
    let text: Buffer;
    try {
      text = readFile(path);
    } catch (err) {
      throw new UserError(`cannot read the Kafka properties file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    props = getProperties(text);
    for (const name of Object.keys(props)) {
      if (!KNOWN.has(name)) throw new UserError(`${path}: unknown property '${name}' (${suggestion(name)})`);
    }
  }
  const where = (name: string) => (path ? `${path}: ${name}` : name);
  const envBrokers = env.KAFKA_BROKERS?.trim();
  const brokersText = envBrokers || props['bootstrap.servers']?.trim();
  const brokers = brokersText ? parseBrokers(brokersText, envBrokers ? 'KAFKA_BROKERS' : where('bootstrap.servers')) : [`127.0.0.1:${localBrokerPort()}`];
  const securityProtocol = oneOf(props['security.protocol']?.trim().toUpperCase() || 'PLAINTEXT', SECURITY_PROTOCOLS, where('security.protocol'));
  const settings: KafkaConnectionSettings = {
    brokers,
    securityProtocol,
    external: Boolean(brokersText),
    source: envBrokers ? 'KAFKA_BROKERS' : (path ?? 'the local broker'),
  };
  if (securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL') settings.tls = tlsSettings(props, where, readFile);
  if (securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL') settings.sasl = saslSettings(props, env, where);
  return settings;
}

let current: { key: string; settings: KafkaConnectionSettings } | undefined;

/**
 * This process's settings (see loadKafkaSettings), read again only when the variables they come
 * from change (the CLI's --kafka-config sets KAFKA_CONFIG_FILE; tests point KAFKA_BROKERS elsewhere).
 */
export function kafkaSettings(): KafkaConnectionSettings {
  const env = process.env;
  const key = [env.KAFKA_CONFIG_FILE, env.KAFKA_BROKERS, env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_PASSWORD, env.GAMEPIPE_KAFKA_PORT].join('\0');
  if (current?.key !== key) current = { key, settings: loadKafkaSettings(env) };
  return current.settings;
}

/** A one-line description for logs and `status`: no secret, no key, no token. */
export function describeKafkaSettings(settings: KafkaConnectionSettings): string {
  const parts = [`${settings.brokers.join(',')} over ${settings.securityProtocol}`];
  if (settings.sasl) parts.push(settings.sasl.mechanism === 'OAUTHBEARER' ? `OAUTHBEARER (${settings.sasl.oauth.method})` : `${settings.sasl.mechanism} as ${settings.sasl.username}`);
  if (settings.tls?.cert) parts.push('with a client certificate');
  return parts.join(', ');
}

/** "did you mean" the known property closest to a misspelt one, when one is close; else every name gamepipe reads. */
function suggestion(name: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of KNOWN) {
    const distance = editDistance(name.toLowerCase(), known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  // Close: a few typed characters off, never more than a third of the name.
  if (best && bestDistance <= Math.min(3, Math.floor(best.length / 3))) return `did you mean '${best}'?`;
  return `gamepipe reads: ${[...KNOWN].join(', ')}`;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

function parseBrokers(text: string, where: string): string[] {
  const brokers = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const broker of brokers) {
    const match = /^(.+):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) throw new UserError(`${where}: '${broker}' is not host:port`);
  }
  if (brokers.length === 0) throw new UserError(`${where}: names no broker`);
  return brokers;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${where}: '${value}' is not one of ${allowed.join(', ')}`);
}

function tlsSettings(props: Record<string, string>, where: (name: string) => string, readFile: ReadFile): TlsSettings {
  const file = (name: string): Buffer | undefined => {
    const location = props[name]?.trim();
    if (!location) return undefined;
    try {
      return readFile(resolve(location));
    } catch (err) {
      throw new UserError(`${where(name)}: cannot read ${location}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const algorithm = (props['ssl.endpoint.identification.algorithm'] ?? 'https').trim().toLowerCase();
  if (algorithm !== 'https' && algorithm !== 'none' && algorithm !== '') {
    throw new UserError(`${where('ssl.endpoint.identification.algorithm')}: '${algorithm}' is not https or none`);
  }
  const tls: TlsSettings = { ca: file('ssl.ca.location'), cert: file('ssl.certificate.location'), key: file('ssl.key.location'), verifyHostname: algorithm === 'https' };
  if (props['ssl.key.password']) tls.keyPassword = props['ssl.key.password'];
  if (Boolean(tls.cert) !== Boolean(tls.key)) {
    throw new UserError(`${where(tls.cert ? 'ssl.key.location' : 'ssl.certificate.location')}: mutual TLS needs both ssl.certificate.location and ssl.key.location`);
  }
  return tls;
}

function saslSettings(props: Record<string, string>, env: Env, where: (name: string) => string): SaslSettings {
  const named = props['sasl.mechanism'] ?? props['sasl.mechanisms'];
  if (!named?.trim()) throw new UserError(`${where('sasl.mechanism')}: security.protocol ${props['security.protocol']} needs a sasl.mechanism (${SASL_MECHANISMS.join(', ')})`);
  const mechanism = oneOf(named.trim().toUpperCase(), SASL_MECHANISMS, where('sasl.mechanism'));
  if (mechanism === 'OAUTHBEARER') return { mechanism, oauth: oauthSettings(props, env, where) };
  const username = env.KAFKA_SASL_USERNAME || props['sasl.username'];
  const password = env.KAFKA_SASL_PASSWORD || props['sasl.password'];
  if (!username) throw new UserError(`${where('sasl.username')}: ${mechanism} needs a user name (sasl.username or KAFKA_SASL_USERNAME)`);
  if (!password) throw new UserError(`${where('sasl.password')}: ${mechanism} needs a password (sasl.password or KAFKA_SASL_PASSWORD)`);
  return { mechanism, username, password };
}

function oauthSettings(props: Record<string, string>, env: Env, where: (name: string) => string): OAuthSettings {
  const method = oneOf((props['sasl.oauthbearer.method'] ?? 'oidc').trim().toLowerCase(), ['oidc', 'default', 'aws_msk_iam'] as const, where('sasl.oauthbearer.method'));
  if (method === 'aws_msk_iam') {
    const region = props['sasl.oauthbearer.aws.region']?.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION;
    if (!region) throw new UserError(`${where('sasl.oauthbearer.aws.region')}: aws_msk_iam needs the cluster's region (sasl.oauthbearer.aws.region or AWS_REGION)`);
    return { method, region };
  }
  const need = (name: string): string => {
    const value = props[name]?.trim();
    if (!value) throw new UserError(`${where(name)}: OAUTHBEARER with OIDC needs ${name}`);
    return value;
  };
  const tokenEndpointUrl = need('sasl.oauthbearer.token.endpoint.url');
  if (!/^https?:\/\//i.test(tokenEndpointUrl)) throw new UserError(`${where('sasl.oauthbearer.token.endpoint.url')}: '${tokenEndpointUrl}' is not an http(s) URL`);
  const oauth: OAuthSettings = { method: 'oidc', tokenEndpointUrl, clientId: need('sasl.oauthbearer.client.id'), clientSecret: need('sasl.oauthbearer.client.secret') };
  const scope = props['sasl.oauthbearer.scope']?.trim();
  if (scope) oauth.scope = scope;
  return oauth;
}

/** True when the settings name a cluster to use instead of the local broker. */
export function usesExternalCluster(): boolean {
  return kafkaSettings().external;
}

/** The bootstrap servers every gamepipe component talks to. */
export function bootstrapServers(): string[] {
  return kafkaSettings().brokers;
}
