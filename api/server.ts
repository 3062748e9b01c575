// The game API server: catalog routes -> events -> the group-commit producer -> Kafka.
import Fastify from 'fastify';
import { bootstrapServers } from '../src/kafka/connection-settings.js';
import { UserError } from '../src/user-error.js';
import { AckedProducer } from '../src/kafka/acked-producer.js';
import { brokerReachable } from '../src/kafka/broker-probe.js';
import { apiKafkaClient } from '../src/kafka/client.js';
import { ensureTopic } from '../src/kafka/topics.js';
import { loadCatalog } from './catalog.js';
import { answerClientError, answerUndecodableUrl, registerRoutes } from './routes.js';

/** How to run the API; every field has a default (env: PORT, GAMEPIPE_TOPIC, KAFKA_BROKERS). */
export interface ApiOptions {
  /** Default PORT or 5000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default GAMEPIPE_TOPIC or `events`. */
  topic?: string;
  /** Default bootstrapServers() (KAFKA_BROKERS or the local broker). */
  brokers?: string[];
  /** Default api/events.yaml. */
  catalogFile?: string;
  /** Longest a request waits for Kafka to take its event before a 503; default 3000. */
  ackTimeoutMs?: number;
  /** Largest accepted request body in bytes; default 64 KiB. */
  bodyLimit?: number;
  /** Where notable happenings (Kafka unreachable at start) are reported; default stderr. */
  log?: (line: string) => void;
}

/** A running API. */
export interface RunningApi {
  url: string;
  topic: string;
  /** Stops accepting, answers in-flight requests, flushes the producer, disconnects. */
  close(): Promise<void>;
}

/** Default port when neither the option nor PORT says otherwise. */
export const DEFAULT_PORT = 5000;

/** Starts the game API; it serves even while Kafka is down (requests then get 503). */
export async function startApi(options: ApiOptions = {}): Promise<RunningApi> {
  const port = options.port ?? envPort();
  const host = options.host ?? '127.0.0.1';
  const topic = options.topic ?? (process.env.GAMEPIPE_TOPIC?.trim() || 'events');
  const brokers = options.brokers ?? bootstrapServers();
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const log = options.log ?? ((line: string) => console.error(line));
  const catalog = loadCatalog(options.catalogFile);

  const kafka = apiKafkaClient(brokers, ackTimeoutMs);
  const producer = new AckedProducer(() => apiKafkaClient(brokers, ackTimeoutMs), { topic, ackTimeoutMs });
  // Not awaited: the API must come up (and answer 503) while Kafka is down.
  const preparing = ensureTopic(kafka, topic)
    .then(() => producer.warmUp())
    .catch((err: Error) => log(`gamepipe api: Kafka at ${brokers.join(',')} not reachable yet (${err.message}); requests get 503 until it is`));

  const app = Fastify({
    logger: false,
    // Request ids only serve fastify's logging, which is off; skip generating one per request.
    genReqId: () => '',
    // A HEAD (link checkers, monitors) must not record a purchase; only GET and POST do.
    exposeHeadRoutes: false,
    bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    // URLs the router cannot decode, parameters past its maxParamLength and what node's HTTP parser
    // refuses answer {error, parameter, rule} like every other refusal.
    frameworkErrors: answerUndecodableUrl(catalog.routes),
    clientErrorHandler: answerClientError,
  });
  registerRoutes(app, {
    catalog,
    publish: (key, value) => producer.publish(key, value),
    brokerReachable: () => brokerReachable(brokers),
    bodyLimit,
  });

  try {
    await app.listen({ port, host });
  } catch (err) {
    await producer.close();
    const e = err as NodeJS.ErrnoException;
    throw new UserError(e.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${e.message}`);
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    topic,
    close: () =>
      (closing ??= (async () => {
        // server.close() only drops connections idle at that moment; kept-alive ones that finish a
        // request afterwards would hold it open until their keep-alive timeout.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        await preparing;
        await producer.close();
      })()),
  };
}

function envPort(): number {
  const raw = process.env.PORT?.trim();
  if (!raw) return DEFAULT_PORT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`PORT must be a whole number from 0 to 65535, got '${raw}'`);
  return n;
}
