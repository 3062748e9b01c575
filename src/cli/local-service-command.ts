import { readFile } from 'node:fs/promises';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

/** What `gamepipe kafka` and `gamepipe s3` drive the same way: a local service on one port. */
export type LocalServiceCli = {
  /** The word in the command's output lines: "kafka started: ...". */
  name: string;
  /** What the service is, in prose: "no local broker is started", "no broker log yet". */
  noun: string;
  upTimeoutSeconds: number;
  up(port: number, timeoutMs: number): Promise<{ address: string; started: boolean }>;
  down(port: number): Promise<boolean>;
  status(port: number): Promise<{ running: false } | { running: true; pid: number; address: string }>;
  logPath(port: number): string;
  /** The variable and value that name a service elsewhere, when set; then `up` and `status` start nothing. */
  external(port: number): { variable: string; value: string; check(timeoutMs: number): Promise<void> } | undefined;
};

type Flags = { timeout?: string; lines?: string };

/**
 * `gamepipe <service> <action> [--port N] [--timeout SECONDS] [--lines N]`: parses the arguments,
 * runs `extra` for actions of this service alone (it returns undefined for the others), then the
 * common ones; anything else is a one-line usage error.
 */
export async function runServiceCommand(
  args: string[],
  usage: string,
  defaultPort: number,
  service: LocalServiceCli,
  extra: (action: string, port: number) => Promise<number | undefined> = async () => undefined,
): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string' },
    timeout: { type: 'string' },
    lines: { type: 'string' },
  });
  const [action, ...rest] = positionals;
  if (!action || rest.length) throw new UserError(usage, 2);
  const port = intFlag(values.port, 'port', defaultPort, 1, 65535);
  const code = (await extra(action, port)) ?? (await runServiceAction(service, action, port, values));
  if (code === undefined) throw new UserError(`unknown action '${action}'; ${usage}`, 2);
  return code;
}

/** Runs up, down, status or logs; undefined for any other action. */
async function runServiceAction(service: LocalServiceCli, action: string, port: number, flags: Flags): Promise<number | undefined> {
  const external = action === 'up' || action === 'status' ? service.external(port) : undefined;
  if (external) {
    await external.check(intFlag(flags.timeout, 'timeout', 10, 1, 3600) * 1000);
    console.log(`${external.variable} is set: using ${external.value}; no local ${service.noun} is started`);
    return 0;
  }
  switch (action) {
    case 'up': {
      const { address, started } = await service.up(port, intFlag(flags.timeout, 'timeout', service.upTimeoutSeconds, 1, 3600) * 1000);
      console.log(started ? `${service.name} started: ${address}` : `${service.name} already running: ${address}`);
      return 0;
    }
    case 'down': {
      const stopped = await service.down(port);
      console.log(stopped ? `${service.name} on port ${port} stopped` : `no local ${service.name} was running on port ${port}`);
      return 0;
    }
    case 'status': {
      const status = await service.status(port);
      console.log(status.running ? `running: ${status.address} (pid ${status.pid})` : `not running (port ${port})`);
      return status.running ? 0 : 3;
    }
    case 'logs': {
      const lines = intFlag(flags.lines, 'lines', 50, 1, 1_000_000);
      const log = service.logPath(port);
      const text = await readFile(log, 'utf8').catch(() => {
        throw new UserError(`no ${service.noun} log yet at ${log}`);
      });
      console.log(text.trimEnd().split('\n').slice(-lines).join('\n'));
      return 0;
    }
    default:
      return undefined;
  }
}
