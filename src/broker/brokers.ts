import { Kafka, logLevel, type Admin } from 'kafkajs';

/** The port the local development broker listens on (GAMEPIPE_KAFKA_PORT, default 9092). */
export function localBrokerPort(): number {
  const raw = process.env.GAMEPIPE_KAFKA_PORT;
  const port = raw ? Number(raw) : 9092;
  return Number.isInteger(port) && port > 0 && port < 65535 ? port : 9092;
}

/** True when KAFKA_BROKERS names a cluster to use instead of a local broker. */
export function usesExternalCluster(): boolean {
  return Boolean(process.env.KAFKA_BROKERS?.trim());
}

/** The bootstrap servers every gamepipe component talks to: KAFKA_BROKERS, or the local broker. */
export function bootstrapServers(): string[] {
  const env = process.env.KAFKA_BROKERS?.trim();
  if (env) return env.split(',').map((s) => s.trim()).filter(Boolean);
  return [`127.0.0.1:${localBrokerPort()}`];
}

/** A kafkajs client for the configured cluster; kafkajs' own logging is off, callers log what matters. */
export function kafkaClient(clientId: string, brokers = bootstrapServers()): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

/**
 * An admin client for commands that must answer in a second or two even with Kafka down
 * (`gamepipe status`, the console): short timeouts, one retry.
 */
export function quickAdmin(clientId: string): Admin {
  return new Kafka({ clientId, brokers: bootstrapServers(), logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 3000, retry: { retries: 1 } }).admin();
}

/** Resolves when a metadata request succeeds, or rejects with the last error after `timeoutMs`. */
export async function waitForMetadata(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const admin = new Kafka({
      clientId: 'gamepipe-probe',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
