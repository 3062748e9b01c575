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
