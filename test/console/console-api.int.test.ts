import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedFiles } from '../../src/table/folder/folder-store.js';
import { eventually } from '../support/runner-process.js';
import { horsesBySize, startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

interface Job { file: string; job?: string; state: string; error?: string; errors?: string[]; topic?: string; partitions?: { topic: string; partition: number; lag: number }[]; lag?: number; rows?: number; rejected?: number; lastBatchAt?: string; batchAvgMs?: number; rate: { t: number; rowsPerSecond: number }[] }

const ROW_LIMIT = 1000;

describe('the console API over tables a real runner wrote', () => {
  let f: ConsoleFixture;
  beforeAll(async () => {
    f = await startConsoleFixture({ events: 200, rowLimit: ROW_LIMIT, timeoutMs: 1500 });
  }, 120_000);
  afterAll(() => f?.dispose());

  const get = async (path: string) => {
    const res = await fetch(f.console.url + path);
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const query = async (body: unknown, raw = false) => {
    const res = await fetch(`${f.console.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ? (body as string) : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { columns: string[]; rows: unknown[][]; truncated: boolean; error: string } };
  };
  const horses = () => f.names.horse_purchases!;
  const expectedRows = (type: string) => f.events.filter((e) => e.event_type === type).length;

  it('lists every job file: state, topic, partitions, lag, last batch, rows, rejected, and the invalid one with line:col', async () => {
    const { status, body } = await get('/api/jobs');
    expect(status).toBe(200);
    const jobs = body as Job[];
    expect(jobs.map((j) => j.job ?? j.file).sort()).toEqual([...Object.values(f.names), join(f.dir, 'jobs', 'broken.job.yaml')].sort());
    const horse = jobs.find((j) => j.job === horses())!;
    expect(horse).toMatchObject({ state: 'running', topic: expect.stringMatching(/^console-/), lag: 0, rows: expectedRows('purchase_horse'), rejected: f.badHorses.length });
    expect(horse.partitions).toEqual([{ topic: horse.topic, partition: 0, lag: 0 }, { topic: horse.topic, partition: 1, lag: 0 }]);
    expect(Date.parse(horse.lastBatchAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(horse.batchAvgMs).toBeGreaterThan(0);
    expect(jobs.find((j) => j.job === f.names.default_hits)!.rows).toBe(expectedRows('default'));
    const broken = jobs.find((j) => j.state === 'invalid')!;
    expect(broken.errors).toEqual([expect.stringMatching(/broken\.job\.yaml:4:6: error: schema\.a must be one of .*got 'strng'/)]);
  });

  it('keeps rows per second per job: the rates over the samples add up to the rows the runner wrote', async () => {
    const jobs = (await get('/api/jobs')).body as Job[];
    for (const name of [horses(), f.names.sword_purchases!]) {
      const job = jobs.find((j) => j.job === name)!;
      expect(job.rate.length, name).toBeGreaterThan(2);
      let written = 0;
      for (let i = 1; i < job.rate.length; i++) written += job.rate[i]!.rowsPerSecond * (job.rate[i]!.t - job.rate[i - 1]!.t);
      // The first point's interval began at the sample before it, which the series does not keep.
      const first = job.rate[0]!.rowsPerSecond;
      expect(first, `${name}: rows arrived after the baseline`).toBe(0);
      expect(Math.round(written), name).toBe(job.rows);
    }
  });

  it('opens a job\'s rejected rows with their reasons', async () => {
    const { status, body } = await get(`/api/jobs/${horses()}/rejected`);
    expect(status).toBe(200);
    const { columns, rows } = body as { columns: string[]; rows: string[][] };
    expect(columns.slice(0, 2)).toEqual(['reason', 'raw_event']);
    expect(rows.map((r) => JSON.parse(r[1]!).event_id).sort()).toEqual(f.badHorses.map((e) => e.event_id).sort());
    for (const r of rows) expect(r[0]).toMatch(/speed/);
    expect((await get('/api/jobs/no_such_job/rejected')).status).toBe(404);
  });

  it('lists tables with rows, files, bytes, small files, partitions and schema', async () => {
    const { body } = await get('/api/tables');
    const table = (body as { table: string; rows: number; files: number; bytes: number; smallFiles: number; partitions: number; schema: { name: string; type: string }[] }[]).find((t) => t.table === horses())!;
    const files = await committedFiles(join(f.dir, 'data', 'horse_purchases'));
    const dts = (await readdir(join(f.dir, 'data', 'horse_purchases'))).filter((d) => d.startsWith('dt='));
    expect(table).toMatchObject({ rows: expectedRows('purchase_horse'), files: files.length, bytes: files.reduce((s, x) => s + x.bytes, 0), smallFiles: files.length, partitions: dts.length });
    expect(dts.length).toBeGreaterThan(0);
    expect(table.schema).toEqual(expect.arrayContaining([{ name: 'quantity', type: 'INTEGER' }, { name: 'size', type: 'VARCHAR' }, { name: 'dt', type: 'DATE' }]));
  });

  it('answers SQL as {columns, rows}, and the same result as CSV', async () => {
    const sql = `SELECT size, sum(quantity) AS horses FROM ${horses()} GROUP BY size ORDER BY size`;
    const { status, body } = await query({ sql });
    expect(status).toBe(200);
    expect(body).toMatchObject({ columns: ['size', 'horses'], rows: horsesBySize(f.events), truncated: false });
    const csv = await fetch(`${f.console.url}/api/query.csv`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe(`size,horses\n${horsesBySize(f.events).map((r) => r.join(',')).join('\n')}\n`);
  });

  it('returns at most the row cap, and says the result was cut', async () => {
    const { status, body } = await query({ sql: 'SELECT * FROM range(5000)' });
    expect(status).toBe(200);
    expect(body.rows).toHaveLength(ROW_LIMIT);
    expect(body.rows.at(-1)).toEqual([ROW_LIMIT - 1]);
    expect(body.truncated).toBe(true);
  });

  it('stops a query over the time limit with a 400 naming the limit', async () => {
    const began = Date.now();
    const { status, body } = await query({ sql: 'SELECT count(*) FROM range(100000000) a, range(100000) b' });
    expect(status).toBe(400);
    expect(body.error).toBe("the query ran past the console's time limit of 1.5 s and was stopped");
    expect(Date.now() - began).toBeLessThan(10_000);
    expect((await query({ sql: 'SELECT 42 AS answer' })).body.rows).toEqual([[42]]);
  });

  it.each([
    ['reading another file', "SELECT * FROM read_csv('/etc/passwd')", /^Permission Error: table function 'read_csv' is not allowed in the console/],
    ['reading another file by name', "SELECT * FROM '/etc/passwd'", /^Permission Error: '\/etc\/passwd' is not one of the console's tables/],
    ['listing other folders', "SELECT * FROM glob('/etc/*')", /^Permission Error: table function 'glob' is not allowed in the console/],
    ['COPY ... TO', "COPY (SELECT 1) TO '/tmp/gamepipe-console-copy.csv'", /^Permission Error: .*read-only queries.*; COPY statements are refused$/],
    ['EXPORT DATABASE', "EXPORT DATABASE '/tmp/gamepipe-console-export'", /EXPORT statements are refused$/],
    ['ATTACH', "ATTACH '/tmp/gamepipe-console.db' AS other", /ATTACH statements are refused$/],
    ['INSTALL', 'INSTALL httpfs', /INSTALL statements are refused$/],
    ['LOAD', 'LOAD httpfs', /LOAD statements are refused$/],
    ['SET', 'SET enable_external_access = true', /SET statements are refused$/],
    ['PRAGMA', 'PRAGMA threads = 1', /PRAGMA statements are refused$/],
    ['RESET', 'RESET lock_configuration', /RESET statements are refused$/],
  ])('refuses %s with a 403 and one line', async (_what, sql, message) => {
    const { status, body } = await query({ sql });
    expect(status).toBe(403);
    expect(body.error).toMatch(message);
    expect(body.error).not.toContain('\n');
  });

  it('refuses COPY into a table\'s own folder, which DuckDB\'s allowed_directories alone would permit', async () => {
    const dir = join(f.dir, 'data', 'horse_purchases');
    const before = await readdir(dir, { recursive: true });
    const { status } = await query({ sql: `COPY (SELECT 1 AS a) TO '${dir}/dt=2000-01-01/evil.parquet'` });
    expect(status).toBe(403);
    expect(await readdir(dir, { recursive: true })).toEqual(before);
  });

  it.each([
    ['malformed JSON', '{"sql": ', /not valid JSON/],
    ['no sql', '{}', /^"sql" must be a string, got nothing$/],
    ['sql of the wrong type', '{"sql": 42}', /^"sql" must be a string, got number$/],
    ['a JSON array', '["SELECT 1"]', /^the body must be a JSON object/],
    ['empty sql', '{"sql": "  "}', /^"sql" is empty$/],
    ['two statements', '{"sql": "SELECT 1; SELECT 2"}', /^Parser Error: one statement at a time, got 2$/],
    ['a syntax error', '{"sql": "SELECT FROM WHERE"}', /^Parser Error: syntax error at or near "WHERE"$/],
    ['an unknown column', '{"sql": "SELECT nope"}', /^Binder Error: Referenced column "nope" was not found/],
  ])('answers %s with a 400 and a one-line error', async (_what, raw, message) => {
    const { status, body } = await query(raw, true);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
    expect(Object.keys(body)).toEqual(['error']);
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    expect(await get('/api/nope')).toEqual({ status: 404, body: { error: 'no such route: GET /api/nope' } });
  });

  it('shows a file that turned invalid with its errors and the job name its runner keeps running', async () => {
    const file = join(f.dir, 'jobs', 'default_hits.job.yaml');
    const valid = await readFile(file, 'utf8');
    await writeFile(file, valid.replace('  event_id: string', '  event_id: strng'));
    try {
      const row = async () => ((await get('/api/jobs')).body as Job[]).find((j) => j.file === file);
      await eventually(async () => (await row())?.job !== undefined, 10_000, 'the runner to mark the file invalid');
      expect(await row()).toMatchObject({
        state: 'invalid',
        job: f.names.default_hits,
        error: `job ${f.names.default_hits} keeps running its last valid version (running)`,
        errors: [expect.stringMatching(/default_hits\.job\.yaml:9:13: error: schema\.event_id must be one of .*got 'strng'/)],
      });
    } finally {
      // The same text as before: the runner keeps the job it runs and only drops the mark.
      await writeFile(file, valid);
      await eventually(async () => ((await get('/api/jobs')).body as Job[]).find((j) => j.file === file)?.state === 'running', 10_000, 'the file valid again');
    }
  });

  it('shows stopped jobs once the runner is gone, and still answers tables through DuckDB', async () => {
    expect(await f.runner.stop()).toBe(0);
    const jobs = (await get('/api/jobs')).body as Job[];
    expect(jobs.filter((j) => j.job).map((j) => j.state)).toEqual(Array(5).fill('stopped'));
    const { body } = await query({ sql: `SELECT count(*) AS n FROM ${horses()}` });
    expect(body.rows).toEqual([[f.events.filter((e) => e.event_type === 'purchase_horse').length]]);
  });
});
