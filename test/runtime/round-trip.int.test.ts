import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaClient } from '../../src/kafka/client.js';
import { produce, seedEvents, type GameEvent } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { parquetFiles, readTable } from '../support/parquet-read.js';
import { runOnce } from '../support/runner-process.js';

function horseJob(topic: string): string {
  return `job: horses_${suffix(topic)}
source:
  topic: ${topic}
where: event_type == "purchase_horse"
schema:
  event_id: string
  size: string
  speed: double
  quantity: int
  host: { from: Host, type: string }
  user_agent: { from: User-Agent, type: string }
  purchased_at: { from: $timestamp, type: timestamp }
include: [raw_event]
sink:
  path: out/horses
  partition_by: [dt]
trigger: 500ms
`;
}

function swordJob(topic: string): string {
  return `job: swords_${suffix(topic)}
source: { topic: ${topic} }
where: event_type == "purchase_sword"
schema:
  event_id: string
  color: string
  quantity: int
sink: { path: out/swords }
trigger: 500ms
on_bad_record: skip
`;
}

describe('gamepipe-run --once', () => {
  let dir: string;
  let topic: string;
  let events: GameEvent[];
  let result: Awaited<ReturnType<typeof runOnce>>;
  const malformed = ['this is not json', '[1, 2, 3]'];
  let badHorse: GameEvent;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-roundtrip-'));
    topic = uniqueTopic('roundtrip');
    await createTopic(topic, 3);
    events = seedEvents(3000);
    badHorse = { ...events.find((e) => e.event_type === 'purchase_horse')!, event_id: 'bad-quantity', quantity: 'abc' };
    await produce(topic, [...events, ...malformed, badHorse]);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'horses.job.yaml'), horseJob(topic));
    await writeFile(join(dir, 'jobs', 'swords.job.yaml'), swordJob(topic));
    result = await runOnce(dir, 'jobs');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 and logs one line per committed batch', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const commits = result.stdout.split('\n').filter((l) => l.includes('"batch committed"')).map((l) => JSON.parse(l));
    expect(commits.length).toBeGreaterThan(0);
    for (const c of commits) expect(c).toMatchObject({ job: expect.any(String), read: expect.any(Number), written: expect.any(Number) });
  });

  it('writes every matching event exactly once, coerced to the schema', async () => {
    const rows = await readTable(join(dir, 'out/horses'));
    const expected = events.filter((e) => e.event_type === 'purchase_horse');
    expect(rows).toHaveLength(expected.length);
    const byId = new Map(rows.map((r) => [r.event_id as string, r]));
    expect(byId.size).toBe(expected.length);
    for (const e of expected) {
      const row = byId.get(e.event_id!)!;
      expect(row).toMatchObject({
        size: e.size,
        speed: Number(e.speed),
        quantity: Number(e.quantity),
        host: e.Host,
        user_agent: e['User-Agent'],
        raw_event: JSON.stringify(e),
      });
      expect(row.purchased_at).toBeInstanceOf(Date);
      // Hive partition folders come from the record time (DuckDB reads dt=YYYY-MM-DD as a DATE).
      expect((row.dt as Date).toISOString().slice(0, 10)).toBe((row.purchased_at as Date).toISOString().slice(0, 10));
    }
  });

  it('sends bad records to the dead-letter table with the reason, raw text and position', async () => {
    const rejected = await readTable(join(dir, 'out/horses_rejected'));
    expect(rejected.map((r) => r.raw_event).sort()).toEqual([...malformed, JSON.stringify(badHorse)].sort());
    for (const r of rejected) {
      expect(r.topic).toBe(topic);
      expect(typeof r.reason).toBe('string');
      expect(r.offset).toEqual(expect.any(BigInt));
    }
    expect(rejected.find((r) => r.raw_event === JSON.stringify(badHorse))!.reason).toMatch(/quantity/);
  });

  it('skips bad records when told to, and writes the rest', async () => {
    const rows = await readTable(join(dir, 'out/swords'));
    expect(rows).toHaveLength(events.filter((e) => e.event_type === 'purchase_sword').length);
    expect(await parquetFiles(join(dir, 'out/swords_rejected'))).toEqual([]);
  });

  it('commits the offsets to the consumer group, so Kafka tooling shows no lag', async () => {
    const admin = kafkaClient('roundtrip-admin').admin();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      const committed = await admin.groupOffsets(`gamepipe.horses_${suffix(topic)}`, topic);
      expect([...committed.keys()].sort()).toEqual(ends.map((e) => e.partition).sort());
      for (const [partition, offset] of committed) expect(offset).toBe(ends.find((e) => e.partition === partition)!.high);
    } finally {
      await admin.disconnect();
    }
  });

  it('stops a job with on_bad_record: fail at the bad record, exits 1, and other jobs finish', async () => {
    await mkdir(join(dir, 'strict'));
    await writeFile(join(dir, 'strict', 'strict.job.yaml'), horseJob(topic).replace('job: horses', 'job: strict_horses').replace('out/horses', 'out/strict') + 'on_bad_record: fail\n');
    await writeFile(join(dir, 'strict', 'swords.job.yaml'), swordJob(topic).replace('job: swords', 'job: strict_swords').replace('out/swords', 'out/strict_swords'));
    const strict = await runOnce(dir, 'strict');
    expect(strict.code).toBe(1);
    const failure = strict.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.msg === 'job failed');
    expect(failure.error).toMatch(new RegExp(`^job strict_horses_${suffix(topic)}: bad record at ${topic}/\\d+@\\d+: (not JSON|not a JSON object|.*quantity)`));
    // Everything before the bad record in its partition is committed; the other job is unaffected.
    expect((await readTable(join(dir, 'out/strict_swords'))).length).toBe(events.filter((e) => e.event_type === 'purchase_sword').length);
  });

  it('says in one line that a topic does not exist, and exits 1', async () => {
    const missing = uniqueTopic('missing');
    await mkdir(join(dir, 'missing'));
    await writeFile(join(dir, 'missing', 'm.job.yaml'), swordJob(missing));
    const result = await runOnce(dir, 'missing');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`gamepipe run: job swords_${suffix(missing)} failed: topic '${missing}' does not exist (yet)`);
  });

  it('a second run with nothing new writes nothing', async () => {
    const before = await parquetFiles(join(dir, 'out/horses'));
    const again = await runOnce(dir, 'jobs');
    expect(again.code).toBe(0);
    expect(await parquetFiles(join(dir, 'out/horses'))).toEqual(before);
  });
});
