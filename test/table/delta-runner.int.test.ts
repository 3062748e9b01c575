import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';
import { s3TablePath } from '../support/delta-jobs.js';
import { readWithDeltaRs } from '../support/delta-rs.js';
import { produce, seedEvents, type GameEvent } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { RunnerProcess, runOnceWith } from '../support/runner-process.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function horsesJob(topic: string, path: string, extra = ''): string {
  return `job: horses_${suffix(topic)}
source: { topic: ${topic}, start: earliest }
where: event_type == 'purchase_horse'
schema:
  event_id: string
  size: string
  quantity: int
  offset: { from: $offset, type: long }
sink:
  path: ${path}
  format: delta
  partition_by: [dt]
${extra}trigger: 200ms
`;
}

/** Events with bad records mixed in: not JSON, and a horse whose quantity is no number. */
function eventsWithBadOnes(n: number): { records: (GameEvent | string)[]; horses: string[]; bad: number } {
  const events = seedEvents(n);
  const records: (GameEvent | string)[] = [];
  const horses: string[] = [];
  let bad = 0;
  events.forEach((e, i) => {
    if (i % 97 === 0) {
      records.push(`not json ${i}`);
      bad++;
    }
    if (e.event_type === 'purchase_horse' && i % 89 === 1) {
      records.push({ ...e, quantity: 'many' });
      bad++;
      return;
    }
    records.push(e);
    if (e.event_type === 'purchase_horse') horses.push(e.event_id!);
  });
  return { records, horses, bad };
}

describe.each([
  ['a local path', async () => join(await tempDir('gamepipe-delta-run-'), 'tables/horses')],
  ['s3:// on MinIO', async () => s3TablePath('horses')],
])('a delta job on %s', (_, makePath) => {
  it('writes every kept event once and every bad one to _rejected; gamepipe query agrees with delta-rs', { timeout: 120_000 }, async () => {
    const dir = await tempDir('gamepipe-delta-job-');
    const path = await makePath();
    const topic = uniqueTopic('delta');
    await createTopic(topic, 2);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'horses.job.yaml'), horsesJob(topic, path));
    const { records, horses, bad } = eventsWithBadOnes(3000);
    await produce(topic, records);

    const run = await runOnceWith({}, dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const output = await readWithDeltaRs(path, ['event_id']);
    expect(output.values.event_id!.slice().sort()).toEqual(horses.slice().sort());
    const rejected = await readWithDeltaRs(`${path}_rejected`, ['reason']);
    expect(rejected.rows).toBe(bad);

    const name = `horses_${suffix(topic)}`;
    const counts = await queryJson(dir, 'jobs', `SELECT (SELECT count(*) FROM ${name}) AS rows, (SELECT count(*) FROM ${name}_rejected) AS rejected`);
    expect(counts).toEqual([{ rows: output.rows, rejected: rejected.rows }]);
    // status reads each partition's committed offset from the table's txn actions: nothing left to read.
    const status = await gamepipe(dir, ['status', '--jobs', 'jobs', '--json']);
    expect(status.code).toBe(0);
    const [health] = JSON.parse(status.stdout) as { lag: { partition: number; lag: number }[]; rows: number; rejected: number; lastBatchAt: string }[];
    expect(health!.lag.map((l) => [l.partition, l.lag]).sort()).toEqual([[0, 0], [1, 0]]);
    expect([health!.rows, health!.rejected]).toEqual([output.rows, rejected.rows]);
    expect(Date.parse(health!.lastBatchAt)).toBeGreaterThan(Date.now() - 120_000);
    const tables = await gamepipe(dir, ['tables', '--jobs', 'jobs', '--json']);
    expect(tables.code).toBe(0);
    expect(JSON.parse(tables.stdout).map((t: { table: string; rows: number; files: number }) => [t.table, t.rows, t.files])).toEqual([
      [name, output.rows, output.files],
      [`${name}_rejected`, rejected.rows, rejected.files],
    ]);
  });
});

describe('three runners sharing nothing but Kafka and the bucket', () => {
  it('write one delta job exactly once while members are killed with SIGKILL and restarted', { timeout: 300_000 }, async () => {
    const path = s3TablePath('horses');
    const topic = uniqueTopic('delta-hosts');
    await createTopic(topic, 6);
    // Each member has its own working folder and GAMEPIPE_HOME, as on three hosts.
    const hosts = await Promise.all([0, 1, 2].map(async (i) => {
      const cwd = await tempDir(`gamepipe-host${i}-`);
      await mkdir(join(cwd, 'jobs'));
      await writeFile(join(cwd, 'jobs', 'horses.job.yaml'), horsesJob(topic, path, '  max_rows: 200\n'));
      return { cwd, env: { GAMEPIPE_HOME: join(cwd, '.gamepipe') } };
    }));
    const { records, horses, bad } = eventsWithBadOnes(12_000);
    const members = hosts.map((h) => new RunnerProcess(h.cwd, ['jobs'], h.env));
    const chunks = 6;
    const size = Math.ceil(records.length / chunks);
    let kills = 0;
    for (let i = 0; i < chunks; i++) {
      await produce(topic, records.slice(i * size, (i + 1) * size), 200);
      await new Promise((r) => setTimeout(r, 500 + Math.floor(Math.random() * 1500)));
      // Kill one member at a random moment and start it again on the same "host".
      const victim = i % hosts.length;
      await members[victim]!.stop('SIGKILL');
      kills++;
      members[victim] = new RunnerProcess(hosts[victim]!.cwd, ['jobs'], hosts[victim]!.env);
    }
    // A member stopped before it set up its signal handlers would just die; let each join first.
    for (const m of members) await m.waitForLog((l) => l.msg === 'partitions assigned', 60_000);
    for (const m of members) expect(await m.stop('SIGTERM', 60_000)).toBe(0);
    expect(kills).toBe(chunks);
    // The members did commit between kills, so the drain below is not all the work.
    expect((await readWithDeltaRs(path)).rows).toBeGreaterThan(horses.length / 2);

    // One more member drains whatever the stopped ones left.
    const drain = await runOnceWith(hosts[0]!.env, hosts[0]!.cwd, 'jobs');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);

    const output = await readWithDeltaRs(path, ['event_id']);
    const ids = output.values.event_id as string[];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice().sort()).toEqual(horses.slice().sort());
    expect((await readWithDeltaRs(`${path}_rejected`)).rows).toBe(bad);
  });
});
