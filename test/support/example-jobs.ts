import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const REPO_JOBS = join(import.meta.dirname, '../../jobs');

/**
 * Writes the repo's example jobs into `dir`/jobs, reading `topic` from the start every second,
 * under suffixed names (a job name is its consumer group: a suffix keeps a test's groups its own).
 * With `sinkRoot`, the sinks go under that folder instead of relative to the runner's cwd.
 * Returns example name -> suffixed name.
 */
export async function writeExampleJobs(dir: string, topic: string, suffix: string, sinkRoot?: string): Promise<Record<string, string>> {
  await mkdir(join(dir, 'jobs'));
  const names: Record<string, string> = {};
  for (const file of (await readdir(REPO_JOBS)).filter((f) => f.endsWith('.job.yaml'))) {
    let text = await readFile(join(REPO_JOBS, file), 'utf8');
    const name = /^job: (\w+)/m.exec(text)![1]!;
    names[name] = `${name}_${suffix}`;
    text = text
      .replace(/^job: \w+/m, `job: ${names[name]}`)
      .replace(/^ {2}topic: events\n( {2}start: earliest\n)?/m, `  topic: ${topic}\n  start: earliest\n`)
      .replace(/^trigger: .*\n/m, '');
    if (sinkRoot) text = text.replace(/^ {2}path: data\//m, `  path: ${sinkRoot}/data/`);
    await writeFile(join(dir, 'jobs', file), `${text.trimEnd()}\ntrigger: 1 second\n`);
  }
  return names;
}
