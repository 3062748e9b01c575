import { startApi } from '../../api/server.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

const USAGE = 'usage: gamepipe api [--port N] [--host ADDRESS] [--topic NAME] [--catalog FILE]';

/** `gamepipe api`: serves the game API until SIGINT/SIGTERM, then drains and exits 0. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    topic: { type: 'string' },
    catalog: { type: 'string' },
  });
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'; ${USAGE}`, 2);
  const api = await startApi({
    port: values.port === undefined ? undefined : intFlag(values.port, 'port', 5000, 0, 65535),
    host: values.host,
    topic: values.topic,
    catalogFile: values.catalog,
  });
  console.log(`game API listening on ${api.url} (topic ${api.topic}); Ctrl-C stops it`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`${signal}: finishing in-flight requests and flushing to Kafka`);
  const started = Date.now();
  await api.close();
  console.log(`game API stopped (${Date.now() - started} ms to drain)`);
  return 0;
}
