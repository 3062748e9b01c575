import { localBrokerPort } from '../broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../kafka/connection-settings.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { kafkaDown, kafkaLogPath, kafkaStatus, kafkaUp } from '../broker/local-cluster.js';
import { brokerPaths } from '../broker/local-broker.js';
import { BROKER_SECURITY_MODES, prepareBrokerSecurity, secureListenerPorts, writeClientProperties, type BrokerSecurityMode } from '../broker/broker-security.js';
import { UserError } from '../user-error.js';
import { intFlag } from './args.js';
import { runServiceCommand, type LocalServiceCli } from './local-service-command.js';

const USAGE =
  'usage: gamepipe kafka up|down|status|logs [--port N] [--timeout SECONDS] [--lines N] [--brokers N] [--kafka-version X.Y.Z] [--security sasl_ssl]';

/** The flags only `kafka up` takes; the others are the common service flags. */
type UpFlags = { brokers?: number; kafkaVersion?: string; securityMode?: BrokerSecurityMode };

function kafkaService(up: UpFlags): LocalServiceCli {
  return {
    name: 'kafka',
    noun: 'broker',
    upTimeoutSeconds: 90,
    up: (port, timeoutMs) => upWithSecurity(port, timeoutMs, up),
    down: kafkaDown,
    status: kafkaStatus,
    logPath: kafkaLogPath,
    external() {
      if (!usesExternalCluster()) return undefined;
      const brokers = bootstrapServers();
      return {
        variable: 'KAFKA_BROKERS',
        value: brokers.join(','),
        check: (timeoutMs) =>
          waitForMetadata(brokers, timeoutMs).catch((err: Error) => {
            throw new UserError(`KAFKA_BROKERS=${brokers.join(',')} is set but does not answer (${err.message})`);
          }),
      };
    },
  };
}

/**
 * `up`; with `--security`, secure listeners beside the plaintext one: makes the certificates and users once,
 * starts the broker with them, and says where the listeners are and which properties files to use.
 */
async function upWithSecurity(port: number, timeoutMs: number, { securityMode, ...up }: UpFlags): Promise<{ address: string; started: boolean }> {
  if (!securityMode) return kafkaUp(port, timeoutMs, up);
  const root = brokerPaths(port).root;
  const security = await prepareBrokerSecurity(root, secureListenerPorts(port), securityMode);
  const result = await kafkaUp(port, timeoutMs, { ...up, security });
  const files = await writeClientProperties(root, security);
  console.log(`SASL_SSL listener: 127.0.0.1:${security.saslSslPort} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`);
  console.log(`SSL listener: 127.0.0.1:${security.sslPort} (client certificate required)`);
  console.log(`client properties (SCRAM-SHA-512 over SASL_SSL): ${files.saslSsl}`);
  console.log(`client properties (mutual TLS): ${files.mtls}`);
  return result;
}

/** Takes `--brokers N`, `--kafka-version X` and `--security MODE` (also as `--flag=value`) out of `args`. */
export function takeUpFlags(args: string[]): { rest: string[]; up: UpFlags } {
  const rest: string[] = [];
  const raw: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--(brokers|kafka-version|security)(?:=(.*))?$/.exec(args[i]!);
    if (!match) {
      rest.push(args[i]!);
      continue;
    }
    const value = match[2] ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UserError(`--${match[1]} needs a value; ${USAGE}`, 2);
    raw[match[1]!] = value;
  }
  const up: UpFlags = {};
  if (raw.brokers !== undefined) up.brokers = intFlag(raw.brokers, 'brokers', 1, 1, 9);
  if (raw['kafka-version'] !== undefined) up.kafkaVersion = raw['kafka-version'];
  if (raw.security !== undefined) {
    const mode = raw.security.toLowerCase();
    if (!(BROKER_SECURITY_MODES as readonly string[]).includes(mode)) throw new UserError(`--security '${raw.security}' is not one of ${BROKER_SECURITY_MODES.join(', ')}`, 2);
    if (!rest.includes('up')) throw new UserError(`--security applies to 'gamepipe kafka up' only; ${USAGE}`, 2);
    if ((up.brokers ?? 1) > 1) throw new UserError('--security runs on a single broker; leave out --brokers', 2);
    up.securityMode = mode as BrokerSecurityMode;
  }
  return { rest, up };
}

/** `gamepipe kafka up|down|status|logs`: the local development broker, or a local cluster with `--brokers N`. */
export function run(args: string[]): Promise<number> {
  const { rest, up } = takeUpFlags(args);
  return runServiceCommand(rest, USAGE, localBrokerPort(), kafkaService(up));
}
