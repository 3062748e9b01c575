import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { runOnce } from '../support/runner-process.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

// A cluster created seconds before the run: no consumer group has been used on it yet, so the
// job's join is the first, and meets the group coordinator while it loads (FindCoordinator answers
// COORDINATOR_NOT_AVAILABLE, JoinGroup COORDINATOR_LOAD_IN_PROGRESS or NOT_COORDINATOR).
describe('gamepipe-run --once on a cluster created seconds ago', () => {
  let broker: OwnBroker | undefined;
  let dir: string;
  beforeAll(async () => {
    broker = await startOwnBroker('gamepipe-once-fresh');
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-once-fresh-job-'));
  }, 300_000);
  afterAll(async () => {
    await broker?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every record and exits 0, reporting its job started once', { timeout: 120_000 }, async () => {
    const topic = uniqueTopic('once-fresh');
    await createTopic(topic, 3);
    const events = seedEvents(500);
    await produce(topic, events);
    await writeFile(
      join(dir, 'all.job.yaml'),
      `job: all_${suffix(topic)}\nsource: { topic: ${topic}, start: earliest }\nschema:\n  event_id: string\nsink: { path: out/all }\ntrigger: 500ms\n`,
    );

    const { code, stdout, stderr } = await runOnce(dir, 'all.job.yaml');

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.filter((l) => l.msg === 'job started')).toHaveLength(1);
    expect((await readTable(join(dir, 'out/all'))).map((r) => r.event_id).sort()).toEqual(events.map((e) => e.event_id).sort());
  });
});
