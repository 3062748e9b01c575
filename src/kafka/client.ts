// Every kafkajs client gamepipe builds, and the Kafka types the rest of the code sees. Each builder
// is one caller's profile of timeouts and retries; all of them take the cluster's address, TLS and
// SASL from the connection settings (connection-settings.ts). Nothing outside src/kafka/ imports
// kafkajs: it takes these types instead.
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type Admin, type Consumer, type ISocketFactory, type KafkaConfig, type Producer, type SASLOptions } from 'kafkajs';
import { UserError } from '../user-error.js';
import { kafkaSettings, type KafkaConnectionSettings, type SaslSettings, type TlsSettings } from './connection-settings.js';

/** A client for one cluster; admins, producers and consumers made from it share its settings. */
export type KafkaClient = Kafka;
export type KafkaAdmin = Admin;
export type KafkaConsumer = Consumer;
export type KafkaProducer = Producer;
/** Opens a client's broker sockets (plain or TLS). */
export type SocketFactory = ISocketFactory;

/** Node's TLS options for `tls`: the trusted CAs, the client certificate, and whether the host name is checked. */
export function tlsConnectionOptions(tls: TlsSettings): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls.ca) options.ca = tls.ca;
  if (tls.cert) options.cert = tls.cert;
  if (tls.key) options.key = tls.key;
  if (tls.keyPassword) options.passphrase = tls.keyPassword;
  // ssl.endpoint.identification.algorithm=none: the chain is still verified, only the name is not.
  if (!tls.verifyHostname) options.checkServerIdentity = () => undefined;
  return options;
}

function saslOptions(sasl: SaslSettings, source: string): SASLOptions {
  if (sasl.mechanism === 'OAUTHBEARER') throw new UserError(`${source}: sasl.mechanism OAUTHBEARER is not supported yet by gamepipe's Kafka clients`);
  const mechanism = sasl.mechanism === 'PLAIN' ? 'plain' : sasl.mechanism === 'SCRAM-SHA-256' ? 'scram-sha-256' : 'scram-sha-512';
  return { mechanism, username: sasl.username, password: sasl.password };
}

// Each client takes the settings' TLS and SASL; `brokers` replaces the settings' own list for
// callers that address one broker (a probe of the local broker, a benchmark's cluster).
// kafkajs' own logging is off for every client: callers log what matters.
function newClient(config: Omit<KafkaConfig, 'logLevel' | 'ssl' | 'sasl'>, settings: KafkaConnectionSettings = kafkaSettings()): KafkaClient {
  return new Kafka({
    ...config,
    ...(settings.tls && { ssl: tlsConnectionOptions(settings.tls) }),
    ...(settings.sasl && { sasl: saslOptions(settings.sasl, settings.source) }),
    logLevel: logLevel.NOTHING,
  });
}

/** A client for the configured cluster (or `brokers`), for the runner, the CLI's setup steps and tools. */
export function kafkaClient(clientId: string, brokers = kafkaSettings().brokers): KafkaClient {
  return newClient({
    clientId,
    brokers,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/**
 * An admin client for commands that must answer in a second or two even with Kafka down
 * (`gamepipe status`, the console): short timeouts, one retry.
 */
export function quickAdmin(clientId: string): KafkaAdmin {
  return newClient({ clientId, brokers: kafkaSettings().brokers, connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 1 } }).admin();
}

/** An admin for one metadata probe: no retry, so the caller's loop decides when to try again. */
export function probeAdmin(brokers: string[]): KafkaAdmin {
  return newClient({
    clientId: 'gamepipe-probe',
    brokers,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
}

/**
 * A client for the game API. kafkaClient() retries for ~10 s, too long for a caller waiting on an
 * HTTP answer, so this one takes the same bootstrap servers with tighter limits.
 */
export function apiKafkaClient(brokers: string[], requestTimeoutMs: number, socketFactory?: SocketFactory): KafkaClient {
  return newClient({
    clientId: 'gamepipe-api',
    brokers,
    socketFactory,
    connectionTimeout: 1000,
    requestTimeout: requestTimeoutMs,
    // The idempotent producer inherits these: a failing send gives up after ~1 s of retries, and a
    // fresh producer takes over on the next batch.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 },
  });
}
