import { localBrokerPort } from '../broker/brokers.js';
import { bootstrapServers, usesExternalCluster } from '../kafka/connection-settings.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { brokerDown, brokerPaths, brokerStatus, brokerUp } from '../broker/local-broker.js';
import { UserError } from '../user-error.js';
import { runServiceCommand, type LocalServiceCli } from './local-service-command.js';

const USAGE = 'usage: gamepipe kafka up|down|status|logs [--port N] [--timeout SECONDS] [--lines N]';

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

/** `gamepipe kafka up|down|status|logs`: the local development broker. */
export function run(args: string[]): Promise<number> {
  return runServiceCommand(args, USAGE, localBrokerPort(), KAFKA);
}
