import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, runOnce } from '../support/runner-process.js';

function job(topic: string): string {
  return `job: shared_job_${suffix(topic)}
source: { topic: ${topic} }
schema:
  event_id: string
  partition: { from: $partition, type: int }
sink: { path: out/shared }
trigger: 300ms
`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const assigned = (runner: RunnerProcess) => runner.logs.filter((l) => l.msg === 'partitions assigned').at(-1)?.partitions as number[] | undefined;

describe('two runners on one job', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('split the partitions, and losing one mid-stream neither loses nor duplicates a record', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-rebalance-'));
    const topic = uniqueTopic('rebalance');
    await createTopic(topic, 4);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'shared.job.yaml'), job(topic));
    const events = seedEvents(8000);

    const a = new RunnerProcess(dir, ['jobs']);
    await a.waitForLog((l) => l.msg === 'partitions assigned');
    const b = new RunnerProcess(dir, ['jobs']);
    // Both members hold some partitions once the group has rebalanced.
    const deadline = Date.now() + 30_000;
    while (!(assigned(a)?.length && assigned(b)?.length) && Date.now() < deadline) await sleep(100);
    expect(assigned(a)!.length + assigned(b)!.length).toBe(4);

    await produce(topic, events.slice(0, 4000), 200);
    await sleep(500);
    expect(await b.stop('SIGTERM')).toBe(0);
    await produce(topic, events.slice(4000), 200);
    await a.waitForLog((l) => l.msg === 'partitions assigned' && (l.partitions as number[]).length === 4);
    await sleep(1000);
    expect(await a.stop('SIGTERM')).toBe(0);

    const drain = await runOnce(dir, 'jobs');
    expect(drain.code).toBe(0);
    const ids = (await readTable(join(dir, 'out/shared'))).map((r) => r.event_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(events.map((e) => e.event_id!).sort());
  });
});
