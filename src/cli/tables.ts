import { CATALOG_FLAGS, jobPaths, openJobCatalog, outputFormat } from '../query/open-job-catalog.js';
import { formatResult } from '../query/result-format.js';
import { statsResult, tableStats } from '../query/table-stats.js';
import { parseFlags } from './args.js';
import { UserError } from '../user-error.js';

const USAGE = 'usage: gamepipe tables [--jobs <dir or files>]... [--csv | --json]';

/** `gamepipe tables`: every job table and dead-letter table with its rows, files and bytes. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, CATALOG_FLAGS);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'; ${USAGE}`, 2);
  const format = outputFormat(values);
  const catalog = await openJobCatalog(jobPaths(values.jobs));
  try {
    console.log(formatResult(statsResult(await tableStats(catalog)), format));
  } finally {
    catalog.close();
  }
  return 0;
}
