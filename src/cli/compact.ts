import { jobPaths } from '../query/open-job-catalog.js';
import { loadJobsForQuery } from '../query/job-tables.js';
import { openJobStore } from '../table/open-job-store.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

const USAGE = 'usage: gamepipe compact <job> [--jobs <dir or files>]... [--include-today] [--min-files N]';

/** `gamepipe compact <job>`: rewrites the closed partitions of a job's table into one file each. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    jobs: { type: 'string', multiple: true },
    'include-today': { type: 'boolean' },
    'min-files': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(
      `${USAGE}\n  closed partitions (a dt, day, hour or month before today, UTC) with at least --min-files files (default 2); safe while the runner writes\n` +
        '  --include-today: every partition but those of later days (also those with no time column)',
    );
    return 0;
  }
  if (positionals.length !== 1) throw new UserError(USAGE, 2);
  const name = positionals[0]!;
  const jobs = await loadJobsForQuery(jobPaths(values.jobs));
  const job = jobs.find((j) => j.spec.job === name);
  if (!job) throw new UserError(`no job '${name}' in ${jobPaths(values.jobs).join(' ')} (jobs: ${jobs.map((j) => j.spec.job).join(', ')})`);
  if (job.spec.sink.partitionBy.length === 0) {
    throw new UserError(`job '${name}' writes one unpartitioned folder; compaction works per partition and needs a \`partition_by\` in its sink, such as [dt] (${job.spec.file})`);
  }
  const { recovered, results } = await openJobStore(job).compact({
    includeToday: values['include-today'] ?? false,
    minFiles: intFlag(values['min-files'], 'min-files', 2, 2, 1_000_000),
  });
  for (const line of recovered) console.log(line);
  for (const r of results) {
    if (r.outcome === 'skipped') console.log(`${r.partition}: left as is (${r.reason})`);
    else {
      const late = r.lateFiles ? `, ${r.lateFiles} file(s) committed meanwhile kept beside it` : '';
      console.log(`${r.partition}: ${r.filesBefore} files (${r.bytesBefore} bytes) -> 1 file (${r.bytesAfter} bytes), ${r.rows} rows${late}`);
    }
  }
  if (!results.length) console.log(`no ${values['include-today'] ? '' : 'closed '}partition to compact in ${job.spec.sink.path}${values['include-today'] ? '' : ' (today\'s is still open; --include-today takes it too)'}`);
  return 0;
}
