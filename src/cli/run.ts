import { kafkaClient } from '../broker/brokers.js';
import { log } from '../runtime/logger.js';
import { defaultParquetEncoder } from '../runtime/parquet/parquet-encoder.js';
import { JobSupervisor } from '../runtime/job-supervisor.js';
import { UserError } from '../user-error.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gamepipe-run [--once] <job files or folders>';

/** `gamepipe run` / `gamepipe-run`: runs every job under the given paths until stopped. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { once: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UserError(USAGE, 2);

  const supervisor = new JobSupervisor({
    paths: positionals,
    kafka: kafkaClient('gamepipe-run'),
    encoder: defaultParquetEncoder(),
    log,
    once: values.once ?? false,
  });
  const { started, diagnostics } = await supervisor.start();
  if (started === 0 && (values.once || diagnostics.length > 0)) {
    throw new UserError(diagnostics.length ? 'no valid job to run (see the errors above)' : `no *.job.yaml found in ${positionals.join(' ')}`);
  }

  if (values.once) {
    await supervisor.whenAllDone();
    return supervisor.failures > 0 || diagnostics.length > 0 ? 1 : 0;
  }
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info({ signal }, 'stopping: flushing open batches');
      void supervisor.stop().then(resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  return 0;
}
