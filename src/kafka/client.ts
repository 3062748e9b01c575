// Every Kafka client gamepipe builds (@platformatic/kafka), and the Kafka types the rest of the code
// sees. Each builder is one caller's profile of timeouts and retries; all of them take the
// cluster's address, TLS and SASL from the connection settings (connection-settings.ts). Nothing
// outside src/kafka/ imports the client library: it takes these types instead.
import { Consumer, Producer, stringSerializers, type BaseOptions, type ConsumerOptions, type GroupOptions, type ProduceOptions, type SASLOptions } from '@platformatic/kafka';
import { KafkaAdmin } from './admin.js';
import { kafkaSettings, type KafkaConnectionSettings, type SaslSettings } from './connection-settings.js';
import { oauthTokenProvider } from './oauth-token.js';
import { tlsOptions } from './tls-options.js';

export { KafkaAdmin };
/** A producer of string keys and values. */
export type KafkaProducer = Producer<string, string, string, string>;
export type KafkaConsumer = Consumer;
export type KafkaProducerOptions = ProduceOptions<string, string, string, string> & { transactionalId?: string };
/** A consumer of the classic group protocol (see docs/decisions/kafka-client.md). */
export type KafkaConsumerOptions = { groupId: string; autocommit?: boolean } & Omit<GroupOptions, 'groupProtocol'> & Pick<BaseOptions, 'retries'>;

/**
 * One cluster's connection profile: admins, producers and consumers made from it share its
 * brokers, TLS, SASL, timeouts and retries (each is a client of its own, with its own connections).
 */
export class KafkaClient {
  constructor(private readonly base: BaseOptions) {}

  admin(): KafkaAdmin {
    return new KafkaAdmin(this.base);
  }

  producer(options: KafkaProducerOptions = {}): KafkaProducer {
    return new Producer({ ...this.base, serializers: stringSerializers, ...options });
  }

  consumer(options: KafkaConsumerOptions): KafkaConsumer {
    return new Consumer({ ...this.base, ...options } as ConsumerOptions<Buffer, Buffer, Buffer, Buffer>);
  }
}

// OAUTHBEARER clients share the settings' token provider with the fetch connections, so one
// token serves every connection until it is due for renewal.
function saslOptions(sasl: SaslSettings): SASLOptions {
  if (sasl.mechanism === 'OAUTHBEARER') {
    const token = oauthTokenProvider(sasl.oauth);
    return { mechanism: 'OAUTHBEARER', token: async () => (await token()).value };
  }
  return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
}

// Each client takes the settings' TLS and SASL; `brokers` replaces the settings' own list for
// callers that address one broker (a probe of the local broker, a benchmark's cluster).
function newClient(
  clientId: string,
  brokers: string[],
  profile: Omit<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'tls' | 'sasl'>,
  settings: KafkaConnectionSettings = kafkaSettings(),
): KafkaClient {
  return new KafkaClient({
    clientId,
    bootstrapBrokers: brokers,
    ...profile,
    ...(settings.tls && { tls: tlsOptions(settings.tls) }),
    ...(settings.sasl && { sasl: saslOptions(settings.sasl) }),
  });
}

/** A client for the configured cluster (or `brokers`), for the runner, the CLI's setup steps and tools. */
export function kafkaClient(clientId: string, brokers = kafkaSettings().brokers): KafkaClient {
  return newClient(clientId, brokers, { connectTimeout: 3000, requestTimeout: 10_000, retries: 8, retryDelay: backoff(100, 2000) });
}

/**
 * An admin client for commands that must answer in a second or two even with Kafka down
 * (`gamepipe status`, the console): short timeouts, one retry.
 */
export function quickAdmin(clientId: string): KafkaAdmin {
  return newClient(clientId, kafkaSettings().brokers, { connectTimeout: 1000, requestTimeout: 3000, retries: 1, retryDelay: 100 }).admin();
}

/** An admin for one metadata probe: no retry, so the caller's loop decides when to try again. */
export function probeAdmin(brokers: string[]): KafkaAdmin {
  return newClient('gamepipe-probe', brokers, { connectTimeout: 1000, requestTimeout: 3000, retries: 0 }).admin();
}

/**
 * A client for the game API. kafkaClient() retries for ~10 s, too long for a caller waiting on an
 * HTTP answer, so this one takes the same bootstrap servers with tighter limits.
 */
export function apiKafkaClient(brokers: string[], requestTimeoutMs: number): KafkaClient {
  // The idempotent producer inherits these: a failing send gives up after ~1 s of retries, and a
  // fresh producer takes over on the next batch.
  // `timeout` is how long the broker may wait for its replicas' acks; the connection gives its answer a second more.
  return newClient('gamepipe-api', brokers, {
    connectTimeout: 1000,
    timeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs + 1000,
    retries: 2,
    retryDelay: backoff(100, 500),
  });
}

/** Exponential retry delays from `initialMs` doubling up to `maxMs`. */
function backoff(initialMs: number, maxMs: number): (client: unknown, operationId: string, attempt: number) => number {
  return (_client, _operation, attempt) => Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
