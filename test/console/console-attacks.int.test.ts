import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type RunningConsole } from '../../src/console/server.js';
import { checkJobText } from '../../src/dsl/check-job.js';
import { compileJob } from '../../src/dsl/compile-job.js';
import type { CompiledJob } from '../../src/dsl/job-spec.js';
import { openJobStore } from '../../src/table/open-job-store.js';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { DEAD_LETTER_COLUMNS } from '../../src/dsl/dead-letters.js';
import { OwnedTable } from '../../src/parquet/owned-table.js';
import { horseBatch, s3TablePath } from '../support/delta-jobs.js';
import { readWithDeltaRs } from '../support/delta-rs.js';

// The console tried as an attacker would (issue 18): each case is an attack that worked on the
// console before, over real tables (a local Delta table, a folder table, a Delta table on MinIO).

const DELTA_ROWS = 500;
const TIME_LIMIT_MS = 2000;
const QUEUE_LIMIT = 3;
const LONG_RAW_EVENT = 500_000;

interface Answer {
  status: number;
  headers: Headers;
  body: { columns?: string[]; rows?: unknown[][]; truncated?: boolean; cut?: string; error?: string };
  text: string;
}

describe('the console under attack', () => {
  let dir: string;
  let console_: RunningConsole;
  const paths: Record<'delta' | 'folder' | 's3', string> = { delta: '', folder: '', s3: '' };

  /** Writes a job file for a horse table at `path`, and commits `batches` of 100 rows through its real store. */
  async function table(name: string, path: string, format: 'delta' | 'parquet', batches: number): Promise<void> {
    const text = `job: ${name}\nsource: { topic: events }\nschema:\n  size: string\n  quantity: int\nsink:\n  path: ${path}\n  format: ${format}\n  partition_by: [dt]\n`;
    await writeFile(join(dir, 'jobs', `${name}.job.yaml`), text);
    const { spec } = checkJobText(`${name}.job.yaml`, text);
    const job: CompiledJob = compileJob(spec!);
    const store = openJobStore(job);
    await store.open();
    for (let b = 0; b < batches; b++) {
      const rows = Array.from({ length: 100 }, (_, i) => [i % 2 ? 'large' : 'small', b * 100 + i]);
      expect(await store.commit(horseBatch(job, b * 100, (b + 1) * 100, rows))).toMatchObject({ outcome: 'committed' });
    }
    // One dead letter as long as a record may be (max_record_bytes is 1 MiB by default).
    const rejected = new ColumnBatch(DEAD_LETTER_COLUMNS);
    rejected.append(['not JSON', `{${'x'.repeat(LONG_RAW_EVENT)}`, 'events', 0, BigInt(batches * 100), Date.UTC(2026, 10, 20)]);
    const batch = horseBatch(job, batches * 100, batches * 100 + 1, []);
    expect(await store.commit({ ...batch, rejected: OwnedTable.of(rejected.toArrowTable()) })).toMatchObject({ outcome: 'committed' });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-console-attacks-'));
    await mkdir(join(dir, 'jobs'));
    paths.delta = join(dir, 'data', 'delta_horses');
    paths.folder = join(dir, 'data', 'folder_horses');
    paths.s3 = s3TablePath('s3_horses');
    await table('delta_horses', paths.delta, 'delta', DELTA_ROWS / 100);
    await table('folder_horses', paths.folder, 'parquet', 1);
    await table('s3_horses', paths.s3, 'delta', 1);
    console_ = await startConsole({ paths: [join(dir, 'jobs')], port: 0, metricsUrl: 'http://127.0.0.1:9', timeoutMs: TIME_LIMIT_MS, queueLimit: QUEUE_LIMIT });
  }, 120_000);
  afterAll(async () => {
    await console_?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const query = async (sql: string, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${console_.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ sql }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as Answer['body'], text };
  };
  const count = async (table: string) => (await query(`SELECT count(*) AS n FROM ${table}`)).body.rows;
  const digest = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');
  /** A request with a Host header of our choosing, which fetch does not allow. */
  const rawRequest = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(console_.url);
      const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('refuses enable_profiling aimed at a Delta commit, and delta-rs still reads every row', async () => {
    const commit = join(paths.delta, '_delta_log', '00000000000000000001.json');
    const before = await digest(commit);
    const attack = await query(`SELECT * FROM enable_profiling(format='json', save_location='${commit}')`);
    expect(attack.status).toBe(403);
    expect(attack.body.error).toBe("Permission Error: table function 'enable_profiling' is not allowed in the console; it reads only the jobs' tables and range, generate_series, unnest");
    // On the console before, the next query wrote its profile over the commit.
    expect(await count('delta_horses')).toEqual([[DELTA_ROWS]]);
    expect(await digest(commit)).toBe(before);
    expect((await readWithDeltaRs(paths.delta)).rows).toBe(DELTA_ROWS);
  });

  it("refuses enable_logging into a table's folder and enable_profiling over a folder table's checkpoint", async () => {
    const before = (await readdir(paths.folder, { recursive: true })).sort();
    const checkpoints = join(paths.folder, '_gamepipe', 'checkpoints');
    const [checkpoint] = await readdir(checkpoints);
    const sum = await digest(join(checkpoints, checkpoint!));
    expect((await query(`SELECT * FROM enable_logging(storage='file', storage_path='${paths.folder}')`)).status).toBe(403);
    expect((await query(`SELECT * FROM enable_profiling(format='json', save_location='${join(checkpoints, checkpoint!)}')`)).status).toBe(403);
    expect(await count('folder_horses')).toEqual([[100]]);
    expect((await readdir(paths.folder, { recursive: true })).sort()).toEqual(before);
    expect(await digest(join(checkpoints, checkpoint!))).toBe(sum);
  });

  it('keeps answering after a query that would have broken every later one', async () => {
    expect((await query("SELECT * FROM enable_logging(storage='file', storage_path='/nonexistent')")).status).toBe(403);
    expect((await query("SELECT * FROM enable_profiling(save_location='/tmp/gamepipe-attack.json')")).status).toBe(403);
    expect((await query('SELECT 42 AS answer')).body.rows).toEqual([[42]]);
  });

  it('never shows the S3 secret key, yet reads the S3 table', async () => {
    const secret = process.env.AWS_SECRET_ACCESS_KEY!;
    expect(secret).toBeTruthy();
    for (const sql of ["SELECT current_setting('s3_secret_access_key')", 'SELECT * FROM duckdb_settings()', 'SELECT * FROM duckdb_secrets()', "SELECT * FROM which_secret('s3://gamepipe/x', 's3')"]) {
      const answer = await query(sql);
      expect(answer.status, sql).toBe(403);
      expect(answer.text, sql).not.toContain(secret);
    }
    expect(await count('s3_horses')).toEqual([[100]]);
  });

  it('answers only requests addressed to its own host, and refuses posts from other origins', async () => {
    const port = new URL(console_.url).port;
    const evil = await rawRequest('GET', '/', { host: 'evil.example' });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error).toMatch(/^Host 'evil\.example' is not this console's address/);
    const rebound = await rawRequest('POST', '/api/query', { host: `evil.example:${port}`, 'content-type': 'application/json' }, JSON.stringify({ sql: 'SELECT 1' }));
    expect(rebound.status).toBe(403);
    expect((await rawRequest('GET', '/', { host: `localhost:${port}` })).status).toBe(200);
    expect((await rawRequest('GET', '/api/tables', { host: `127.0.0.1:${port}` })).status).toBe(200);

    const crossOrigin = await query('SELECT 1', { origin: 'http://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body.error).toBe("Origin 'http://evil.example' is not this console's");
    expect((await query('SELECT 1', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await query('SELECT 1 AS one', { origin: console_.url })).body.rows).toEqual([[1]]);
  });

  it("shows the start of a long dead letter on a job's rejected rows, not all of it", async () => {
    const res = await fetch(`${console_.url}/api/jobs/folder_horses/rejected`);
    const { columns, rows } = (await res.json()) as { columns: string[]; rows: string[][] };
    const raw = rows[0]![columns.indexOf('raw_event')]!;
    expect(raw).toBe(`{${'x'.repeat(4095)}…[cut ${LONG_RAW_EVENT + 1 - 4096} chars]`);
  });

  it('sends a content security policy and forbids framing and sniffing', async () => {
    const res = await fetch(`${console_.url}/`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await query('SELECT 1')).headers.get('x-frame-options')).toBe('DENY');
  });

  it('cuts a result of gigabytes at its byte cap while the page keeps answering', async () => {
    // The default limits: before, the 10 s limit ended before the result was turned into JavaScript
    // values, which blocked the console's event loop for minutes and then exhausted its heap.
    const own = await startConsole({ paths: [join(dir, 'jobs')], port: 0, metricsUrl: 'http://127.0.0.1:9' });
    try {
      const post = (sql: string) => fetch(`${own.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
      const huge = post('SELECT range(0, 10000000) AS r FROM range(10)');
      await new Promise((r) => setTimeout(r, 500));
      // The query runs in the query process: the console's own event loop stays free.
      const page = await fetch(`${own.url}/`, { signal: AbortSignal.timeout(5000) });
      expect(page.status).toBe(200);
      const res = await huge;
      const text = await res.text();
      // Cut at the byte cap, or stopped at the time limit or a memory limit: never the console's heap.
      if (res.status === 200) expect(JSON.parse(text)).toMatchObject({ truncated: true, cut: 'bytes' });
      else expect(JSON.parse(text).error).toMatch(/time limit|memory/i);
      expect(text.length).toBeLessThan(17 * 1024 * 1024);
      expect(await (await post('SELECT 42 AS answer')).json()).toMatchObject({ rows: [[42]] });
    } finally {
      await own.close();
    }
  });

  it('answers 20 concurrent slow queries with results or 429s, then answers at once', async () => {
    const slow = 'SELECT count(*) FROM range(100000000) a, range(100000) b';
    const answers = await Promise.all(Array.from({ length: 20 }, () => query(slow)));
    const refused = answers.filter((a) => a.status === 429);
    // One runs and QUEUE_LIMIT wait; every other one is told to come back.
    expect(refused).toHaveLength(20 - 1 - QUEUE_LIMIT);
    for (const a of refused) {
      expect(a.headers.get('retry-after')).toBe(String(TIME_LIMIT_MS / 1000));
      expect(a.body.error).toMatch(/^the console is busy/);
    }
    for (const a of answers.filter((x) => x.status !== 429)) expect(a.body.error).toBe(`the query ran past the console's time limit of ${TIME_LIMIT_MS / 1000} s and was stopped`);
    expect((await query('SELECT 1 AS one')).body.rows).toEqual([[1]]);
  });

  it('keeps a string holding ;-- whole, and counts the statements after a ;', async () => {
    expect((await query("SELECT ';--' AS s")).body.rows).toEqual([[';--']]);
    const two = await query("SELECT 1; COPY (SELECT 1) TO '/tmp/gamepipe-attack.csv'");
    expect(two.status).toBe(400);
    expect(two.body.error).toBe('Parser Error: one statement at a time, got 2');
  });
});
