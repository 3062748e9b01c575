import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryJson } from '../support/gamepipe-cli.js';
import { readWithDeltaRs } from '../support/delta-rs.js';
import { produce } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { runOnce } from '../support/runner-process.js';

/** A job file of `topic` writing `schema` (YAML lines under `schema:`) to `path` in `format`. */
function jobText(topic: string, path: string, format: 'parquet' | 'delta', schema: string[]): string {
  return `job: evolve_${format}_${suffix(topic)}
source: { topic: ${topic} }
schema:
${schema.map((line) => `  ${line}`).join('\n')}
sink:
  path: ${path}
  format: ${format}
trigger: 100ms
`;
}

/** A folder with a job file, and a way to change the file and run it to the end of its topic. */
async function jobFolder(format: 'parquet' | 'delta') {
  const dir = await mkdtemp(join(tmpdir(), `gamepipe-evolve-${format}-`));
  const topic = uniqueTopic(`evolve-${format}`);
  await createTopic(topic, 1);
  await mkdir(join(dir, 'jobs'));
  const table = join(dir, 'out', 'events');
  const name = `evolve_${format}_${suffix(topic)}`;
  return {
    dir,
    topic,
    table,
    name,
    /** Writes the job with `schema`, then runs it with --once. */
    async run(schema: string[]) {
      await writeFile(join(dir, 'jobs', 'evolve.job.yaml'), jobText(topic, table, format, schema));
      return runOnce(dir, 'jobs');
    },
  };
}

const BASE = ['event_id: string', 'quantity: int'];
const ADDED = [...BASE, 'size: string'];
const WIDENED = ['event_id: string', 'quantity: long', 'size: string'];

describe('schema changes between runs of a job, through gamepipe-run --once', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('a Parquet folder takes an added column, then int widened to long, and gamepipe query reads every file as one table', { timeout: 180_000 }, async () => {
    const job = await jobFolder('parquet');
    dirs.push(job.dir);
    await produce(job.topic, [
      { event_id: 'e1', quantity: '1' },
      { event_id: 'e2', quantity: '2' },
    ]);
    expect(await job.run(BASE)).toMatchObject({ code: 0, stderr: '' });
    await produce(job.topic, [{ event_id: 'e3', quantity: '3', size: 'large' }]);
    expect(await job.run(ADDED)).toMatchObject({ code: 0, stderr: '' });
    await produce(job.topic, [{ event_id: 'e4', quantity: '3000000000', size: 'small' }]);
    expect(await job.run(WIDENED)).toMatchObject({ code: 0, stderr: '' });

    const rows = await queryJson(job.dir, 'jobs', `SELECT event_id, quantity::VARCHAR AS quantity, typeof(quantity) AS type, size FROM ${job.name} ORDER BY event_id`);
    expect(rows).toEqual([
      { event_id: 'e1', quantity: '1', type: 'BIGINT', size: null },
      { event_id: 'e2', quantity: '2', type: 'BIGINT', size: null },
      { event_id: 'e3', quantity: '3', type: 'BIGINT', size: 'large' },
      { event_id: 'e4', quantity: '3000000000', type: 'BIGINT', size: 'small' },
    ]);

    // Back to int is a narrowing; dropping `size` removes a column: both refused before writing.
    await produce(job.topic, [{ event_id: 'e5', quantity: '5', size: 'large' }]);
    const narrowed = await job.run(ADDED);
    expect(narrowed.code).toBe(1);
    expect(narrowed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'quantity' is long in the table but int in the job; a Parquet folder widens int to long or double only (write to a new sink.path)`,
    );
    const removed = await job.run(['event_id: string', 'quantity: long']);
    expect(removed.code).toBe(1);
    expect(removed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'size' is string in the table but missing in the job; a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path`,
    );
    expect((await queryJson(job.dir, 'jobs', `SELECT count(*) AS n FROM ${job.name}`))[0]).toEqual({ n: 4 });
  });

  it('a Delta table takes an added column that delta-rs and DuckDB read as null in older files, and refuses widening and removal in one line', { timeout: 180_000 }, async () => {
    const job = await jobFolder('delta');
    dirs.push(job.dir);
    await produce(job.topic, [
      { event_id: 'e1', quantity: '1' },
      { event_id: 'e2', quantity: '2' },
    ]);
    expect(await job.run(BASE)).toMatchObject({ code: 0, stderr: '' });
    await produce(job.topic, [{ event_id: 'e3', quantity: '3', size: 'large' }]);
    expect(await job.run(ADDED)).toMatchObject({ code: 0, stderr: '' });

    const read = await readWithDeltaRs(job.table, ['event_id', 'quantity', 'size']);
    expect(read.schema).toEqual([
      ['event_id', 'PrimitiveType("string")'],
      ['quantity', 'PrimitiveType("integer")'],
      ['size', 'PrimitiveType("string")'],
    ]);
    const byId = (r: typeof read) => r.values.event_id!.map((id, i) => [id, Number(r.values.quantity![i]), r.values.size![i]]).sort();
    expect(byId(read)).toEqual([
      ['e1', 1, null],
      ['e2', 2, null],
      ['e3', 3, 'large'],
    ]);
    expect(await queryJson(job.dir, 'jobs', `SELECT event_id, quantity, size FROM ${job.name} ORDER BY event_id`)).toEqual([
      { event_id: 'e1', quantity: 1, size: null },
      { event_id: 'e2', quantity: 2, size: null },
      { event_id: 'e3', quantity: 3, size: 'large' },
    ]);

    await produce(job.topic, [{ event_id: 'e4', quantity: '3000000000', size: 'small' }]);
    const widened = await job.run(WIDENED);
    expect(widened.code).toBe(1);
    expect(widened.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'quantity' is integer in the table but long in the job; widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)`,
    );
    const removed = await job.run(['event_id: string', 'quantity: int']);
    expect(removed.code).toBe(1);
    expect(removed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'size' is string in the table but missing in the job; a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path`,
    );
    // Nothing was written by the refused runs.
    expect((await readWithDeltaRs(job.table)).version).toBe(read.version);
  });
});
