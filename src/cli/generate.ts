import { formatTally, replay } from '../../api/load-generator.js';
import { ProgressBar } from '../../api/progress-bar.js';
import { loadScenario } from '../../api/scenario.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

const USAGE = 'usage: gamepipe generate <scenario.yaml> [--url http://127.0.0.1:5000] [--concurrency N]';

/** `gamepipe generate`: replays a scenario against a running game API; exit 1 if any request failed. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    url: { type: 'string' },
    concurrency: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UserError(USAGE, 2);
  const url = values.url ?? 'http://127.0.0.1:5000';
  if (!/^http:\/\/[^/]+\/?$/.test(url)) throw new UserError(`--url must look like http://host:port, got '${url}'`, 2);
  const concurrency = intFlag(values.concurrency, 'concurrency', 8, 1, 1024);
  const lines = loadScenario(positionals[0]);
  const total = lines.reduce((sum, l) => sum + l.count, 0);

  await fetch(new URL('/healthz', url)).catch((err: Error) => {
    throw new UserError(`no game API answers at ${url} (${(err.cause as Error | undefined)?.message ?? err.message})`);
  });
  const bar = process.stderr.isTTY ? new ProgressBar(total) : undefined;
  const result = await replay(url, lines, concurrency, (done) => bar?.update(done));
  bar?.stop();
  console.log(formatTally(result));
  if (result.failed > 0) console.error(`gamepipe generate: ${result.failed} of ${result.total} requests failed`);
  return result.failed > 0 ? 1 : 0;
}
