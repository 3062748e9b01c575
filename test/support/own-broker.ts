import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { brokerDown, brokerUp, gamepipeHome, type BrokerOptions } from '../../src/broker/local-broker.js';
import { ensureKafkaJars, kafkaVersion } from '../../src/broker/provision.js';
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
 * KAFKA_BROKERS of this test process at it (restored by `dispose`). `options` pick, say, the release.
 */
export async function startOwnBroker(prefix: string, options: BrokerOptions = {}): Promise<OwnBroker> {
  const savedEnv = { ...process.env };
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const port = await freePort();
  // Share the project's broker jars rather than running Maven again for every temp folder.
  const jars = dirname(await ensureKafkaJars(join(gamepipeHome(), 'kafka'), kafkaVersion(options.kafkaVersion)));
  process.env.GAMEPIPE_HOME = join(dir, '.gamepipe');
  await mkdir(join(gamepipeHome(), 'kafka'), { recursive: true });
  await symlink(jars, join(gamepipeHome(), 'kafka', basename(jars)));
  const { address } = await brokerUp(port, 180_000, options);
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
