import { localBrokerPort } from '../../src/broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../../src/kafka/connection-settings.js';
import { waitForMetadata } from '../../src/kafka/broker-probe.js';
import { prepareBrokerSecurity, secureListenerPorts } from '../../src/broker/broker-security.js';
import { brokerDown, brokerPaths, brokerUp } from '../../src/broker/local-broker.js';

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
  // With its secure listeners too: the SASL_SSL run (vitest.secure.config.ts) that follows in
  // `npm test` starts the same broker, and storage formatted without them has no SCRAM users.
  const security = await prepareBrokerSecurity(brokerPaths(port).root, secureListenerPorts(port));
  const { address, started } = await brokerUp(port, undefined, { security });
  if (started) startedPort = port;
  // Test workers are forked after global setup, so they inherit this and talk to the same broker.
  process.env.KAFKA_BROKERS = address;
}

export async function teardown(): Promise<void> {
  if (startedPort !== undefined) await brokerDown(startedPort);
}
