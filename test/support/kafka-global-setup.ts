import { localBrokerPort } from '../../src/broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../../src/kafka/connection-settings.js';
import { waitForMetadata } from '../../src/kafka/broker-probe.js';
import { brokerDown, brokerUp } from '../../src/broker/local-broker.js';

let startedPort: number | undefined;

/**
 * Ensures a real broker for the whole run: KAFKA_BROKERS when set, else the local one.
 * Only a broker this setup started is stopped afterwards.
 */
export async function setup(): Promise<void> {
  if (usesExternalCluster()) {
    await waitForMetadata(bootstrapServers(), 30_000);
    return;
  }
  const port = localBrokerPort();
  const { address, started } = await brokerUp(port);
  if (started) startedPort = port;
  // Test workers are forked after global setup, so they inherit this and talk to the same broker.
  process.env.KAFKA_BROKERS = address;
}

export async function teardown(): Promise<void> {
  if (startedPort !== undefined) await brokerDown(startedPort);
}
