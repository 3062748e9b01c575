import { localBrokerPort } from '../../src/broker/brokers.js';
import { prepareBrokerSecurity, secureListenerPorts, writeClientProperties } from '../../src/broker/broker-security.js';
import { brokerDown, brokerPaths, brokerUp } from '../../src/broker/local-broker.js';

let startedPort: number | undefined;

/**
 * The integration suite over SASL_SSL (vitest.secure.config.ts): the local broker with its secure
 * listeners on GAMEPIPE_KAFKA_PORT, and KAFKA_CONFIG_FILE pointing every gamepipe component of
 * the run, and every runner process the tests start, at its SCRAM-SHA-512 properties file.
 * A KAFKA_CONFIG_FILE already set names the cluster to test instead.
 */
export async function setup(): Promise<void> {
  if (process.env.KAFKA_CONFIG_FILE) return;
  const port = localBrokerPort();
  const security = await prepareBrokerSecurity(brokerPaths(port).root, secureListenerPorts(port));
  const { address, started } = await brokerUp(port, undefined, { security });
  if (started) startedPort = port;
  const { saslSsl } = await writeClientProperties(brokerPaths(port).root, security);
  // Test workers are forked after global setup, so they inherit these. KAFKA_BROKERS would
  // override the file's bootstrap.servers with the plaintext listener.
  delete process.env.KAFKA_BROKERS;
  process.env.KAFKA_CONFIG_FILE = saslSsl;
  // The tests' reference client (kafkajs, test/support/kafka.ts) checks from the plaintext listener.
  process.env.GAMEPIPE_TEST_PLAINTEXT_BROKERS = address;
}

export async function teardown(): Promise<void> {
  if (startedPort !== undefined) await brokerDown(startedPort);
}
