import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { brokerDown, brokerUp, gamepipeHome, type BrokerOptions } from '../../src/broker/local-broker.js';
import { ensureKafkaJars, kafkaVersion } from '../../src/broker/provision.js';
import { prepareBrokerSecurity, type BrokerSecurity } from '../../src/broker/broker-security.js';
import { freePort } from './ports.js';

/** A local broker of one test's own, in a temp folder, so stopping it disturbs no other test. */
export interface OwnBroker {
  dir: string;
  port: number;
  address: string;
  /** The secure listeners, when asked for. */
  security?: BrokerSecurity;
  /** Stops the broker, restores the environment and removes the folder. */
  dispose(): Promise<void>;
}

/**
 * Starts a broker on a free port with GAMEPIPE_HOME in a new temp folder, and points
 * KAFKA_BROKERS of this test process at it (restored by `dispose`). `options` pick, say, the release;
 * with `secure`, the broker also has the SASL_SSL and SSL listeners of `kafka up --security
 * sasl_ssl`, on free ports of their own.
 */
export async function startOwnBroker(prefix: string, { secure, ...options }: BrokerOptions & { secure?: boolean } = {}): Promise<OwnBroker> {
  const savedEnv = { ...process.env };
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const port = await freePort();
  // Share the project's broker jars rather than running Maven again for every temp folder.
  const jars = dirname(await ensureKafkaJars(join(gamepipeHome(), 'kafka'), kafkaVersion(options.kafkaVersion)));
  // Certificates too: made once in the project's home (keytool takes a while), used from there.
  const security = secure ? await prepareBrokerSecurity(join(gamepipeHome(), 'kafka'), await twoOtherFreePorts(port)) : undefined;
  process.env.GAMEPIPE_HOME = join(dir, '.gamepipe');
  await mkdir(join(gamepipeHome(), 'kafka'), { recursive: true });
  await symlink(jars, join(gamepipeHome(), 'kafka', basename(jars)));
  let address: string;
  try {
    ({ address } = await brokerUp(port, 180_000, { ...options, security }));
  } catch (err) {
    // Its log is kept for the failure's message to point at; the environment is restored.
    process.env = savedEnv;
    throw err;
  }
  process.env.KAFKA_BROKERS = address;
  return {
    dir,
    port,
    address,
    security,
    async dispose() {
      await brokerDown(port);
      process.env = savedEnv;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function twoOtherFreePorts(port: number): Promise<{ saslSslPort: number; sslPort: number }> {
  const ports = new Set([port]);
  while (ports.size < 3) ports.add(await freePort());
  const [, saslSslPort, sslPort] = [...ports] as [number, number, number];
  return { saslSslPort, sslPort };
}
