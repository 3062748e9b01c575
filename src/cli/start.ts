import { localBrokerPort, usesExternalCluster } from '../broker/brokers.js';
import { brokerUp } from '../broker/local-broker.js';

/** `gamepipe start` (npm start): brings up the whole local pipeline. */
export async function run(): Promise<number> {
  if (usesExternalCluster()) {
    console.log(`using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  } else {
    const { address } = await brokerUp(localBrokerPort());
    console.log(`kafka: ${address}`);
  }
  console.log('the game API and the job runner join here as they land; stop the broker with `gamepipe kafka down`');
  return 0;
}
