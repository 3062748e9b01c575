/** The port the local development broker listens on (GAMEPIPE_KAFKA_PORT, default 9092). */
export function localBrokerPort(): number {
  const raw = process.env.GAMEPIPE_KAFKA_PORT;
  const port = raw ? Number(raw) : 9092;
  return Number.isInteger(port) && port > 0 && port < 65535 ? port : 9092;
}
