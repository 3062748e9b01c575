import { localBrokerPort } from '../broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../kafka/connection-settings.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { brokerDown, brokerPaths, brokerStatus, brokerUp } from '../broker/local-broker.js';
import { BROKER_SECURITY_MODES, prepareBrokerSecurity, secureListenerPorts, writeClientProperties, type BrokerSecurityMode } from '../broker/broker-security.js';
import { UserError } from '../user-error.js';
import { runServiceCommand, type LocalServiceCli } from './local-service-command.js';

const USAGE = 'usage: gamepipe kafka up|down|status|logs [--port N] [--timeout SECONDS] [--lines N] [--security sasl_ssl (up only)]';

const KAFKA: LocalServiceCli = {
  name: 'kafka',
  noun: 'broker',
  upTimeoutSeconds: 90,
  up: brokerUp,
  down: brokerDown,
  status: brokerStatus,
  logPath: (port) => brokerPaths(port).log,
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

/**
 * `up` with secure listeners beside the plaintext one: makes the certificates and users once,
 * starts the broker with them, and says where the listeners are and which properties files to use.
 */
function secureUp(mode: BrokerSecurityMode): LocalServiceCli['up'] {
  return async (port, timeoutMs) => {
    const root = brokerPaths(port).root;
    const security = await prepareBrokerSecurity(root, secureListenerPorts(port), mode);
    const result = await brokerUp(port, timeoutMs, security);
    const files = await writeClientProperties(root, security);
    console.log(`SASL_SSL listener: 127.0.0.1:${security.saslSslPort} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`);
    console.log(`SSL listener: 127.0.0.1:${security.sslPort} (client certificate required)`);
    console.log(`client properties (SCRAM-SHA-512 over SASL_SSL): ${files.saslSsl}`);
    console.log(`client properties (mutual TLS): ${files.mtls}`);
    return result;
  };
}

/** Takes `--security MODE` (or `--security=MODE`) out of the arguments: the common service flags do not know it. */
function takeSecurityFlag(args: string[]): { rest: string[]; mode?: BrokerSecurityMode } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--security') {
      value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UserError(`--security needs a value (${BROKER_SECURITY_MODES.join(', ')}); ${USAGE}`, 2);
    } else if (arg.startsWith('--security=')) value = arg.slice('--security='.length);
    else rest.push(arg);
  }
  if (value === undefined) return { rest };
  const mode = value.toLowerCase();
  if (!(BROKER_SECURITY_MODES as readonly string[]).includes(mode)) throw new UserError(`--security '${value}' is not one of ${BROKER_SECURITY_MODES.join(', ')}`, 2);
  if (!rest.includes('up')) throw new UserError(`--security applies to 'gamepipe kafka up' only; ${USAGE}`, 2);
  return { rest, mode: mode as BrokerSecurityMode };
}

/** `gamepipe kafka up|down|status|logs`: the local development broker. */
export function run(args: string[]): Promise<number> {
  const { rest, mode } = takeSecurityFlag(args);
  return runServiceCommand(rest, USAGE, localBrokerPort(), mode ? { ...KAFKA, up: secureUp(mode) } : KAFKA);
}
