import { localBrokerPort } from '../broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../kafka/connection-settings.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { kafkaDown, kafkaLogPath, kafkaStatus, kafkaUp } from '../broker/local-cluster.js';
import { UserError } from '../user-error.js';
import { intFlag } from './args.js';
import { runServiceCommand, type LocalServiceCli } from './local-service-command.js';

const USAGE =
  'usage: gamepipe kafka up|down|status|logs [--port N] [--timeout SECONDS] [--lines N] [--brokers N] [--kafka-version X.Y.Z]';

/** The flags only `kafka up` takes; the others are the common service flags. */
type UpFlags = { brokers?: number; kafkaVersion?: string };

function kafkaService(up: UpFlags): LocalServiceCli {
  return {
    name: 'kafka',
    noun: 'broker',
    upTimeoutSeconds: 90,
    up: (port, timeoutMs) => kafkaUp(port, timeoutMs, up),
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

/** Takes `--brokers N` and `--kafka-version X` (also as `--flag=value`) out of `args`. */
export function takeUpFlags(args: string[]): { rest: string[]; up: UpFlags } {
  const rest: string[] = [];
  const raw: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--(brokers|kafka-version)(?:=(.*))?$/.exec(args[i]!);
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
  return { rest, up };
}

/** `gamepipe kafka up|down|status|logs`: the local development broker, or a local cluster with `--brokers N`. */
export function run(args: string[]): Promise<number> {
  const { rest, up } = takeUpFlags(args);
  return runServiceCommand(rest, USAGE, localBrokerPort(), kafkaService(up));
}
