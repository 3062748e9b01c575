import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerDown, brokerUp } from '../../src/broker/local-broker.js';
import { freePort } from './ports.js';

/** A local broker of one test's own, in a temp folder, so stopping it disturbs no other test. */
export interface OwnBroker {
  dir: string;
  port: number;
  address: string;
  /** Stops the broker, restores the environment and removes the folder. */
  dispose(): Promise<void>;
}

/**
 * Starts a broker on a free port with GAMEPIPE_HOME in a new temp folder, and points
 * KAFKA_BROKERS of this test process at it (restored by `dispose`).
 */
export async function startOwnBroker(prefix: string): Promise<OwnBroker> {
  const savedEnv = { ...process.env };
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const port = await freePort();
  process.env.GAMEPIPE_HOME = join(dir, '.gamepipe');
  const { address } = await brokerUp(port);
  process.env.KAFKA_BROKERS = address;
  return {
    dir,
    port,
    address,
    async dispose() {
      await brokerDown(port);
      process.env = savedEnv;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
