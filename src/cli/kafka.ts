import { readFile } from 'node:fs/promises';
import { bootstrapServers, localBrokerPort, usesExternalCluster, waitForMetadata } from '../broker/brokers.js';
import { brokerDown, brokerPaths, brokerStatus, brokerUp } from '../broker/local-broker.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

const USAGE = 'usage: gamepipe kafka up|down|status|logs [--port N] [--timeout SECONDS] [--lines N]';

/** `gamepipe kafka up|down|status|logs`: the local development broker. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string' },
    timeout: { type: 'string' },
    lines: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if (!action || extra.length) throw new UserError(USAGE, 2);
  const port = intFlag(values.port, 'port', localBrokerPort(), 1, 65535);

  if (usesExternalCluster() && (action === 'up' || action === 'status')) {
    const brokers = bootstrapServers();
    await waitForMetadata(brokers, intFlag(values.timeout, 'timeout', 10, 1, 3600) * 1000).catch((err: Error) => {
      throw new UserError(`KAFKA_BROKERS=${brokers.join(',')} is set but does not answer (${err.message})`);
    });
    console.log(`KAFKA_BROKERS is set: using ${brokers.join(',')}; no local broker is started`);
    return 0;
  }

  switch (action) {
    case 'up': {
      const { address, started } = await brokerUp(port, intFlag(values.timeout, 'timeout', 90, 1, 3600) * 1000);
      console.log(started ? `kafka started: ${address}` : `kafka already running: ${address}`);
      return 0;
    }
    case 'down': {
      const stopped = await brokerDown(port);
      console.log(stopped ? `kafka on port ${port} stopped` : `no local kafka was running on port ${port}`);
      return 0;
    }
    case 'status': {
      const status = await brokerStatus(port);
      console.log(status.running ? `running: ${status.address} (pid ${status.pid})` : `not running (port ${port})`);
      return status.running ? 0 : 3;
    }
    case 'logs': {
      const lines = intFlag(values.lines, 'lines', 50, 1, 1_000_000);
      const text = await readFile(brokerPaths(port).log, 'utf8').catch(() => {
        throw new UserError(`no broker log yet at ${brokerPaths(port).log}`);
      });
      console.log(text.trimEnd().split('\n').slice(-lines).join('\n'));
      return 0;
    }
    default:
      throw new UserError(`unknown action '${action}'; ${USAGE}`, 2);
  }
}
