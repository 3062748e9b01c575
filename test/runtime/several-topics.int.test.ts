import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queryJson } from '../support/gamepipe-cli.js';
import { readWithDeltaRs } from '../support/delta-rs.js';
import { produce } from '../support/events.js';
import { bootstrapServers, createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTopicWithKcat } from '../support/kcat.js';
import { RunnerProcess, runOnce } from '../support/runner-process.js';

/** The columns every job here writes: the event's id and where the record came from. */
const SCHEMA = `schema:
  event_id: string
  topic: { from: $topic, type: string }
  partition: { from: $partition, type: int }
  offset: { from: $offset, type: long }
`;

/** One row as `topic/partition/offset event_id`, so kcat's records and the table's compare as sorted text. */
type Row = string;
const row = (topic: unknown, partition: unknown, offset: unknown, id: unknown): Row => `${String(topic)}/${Number(partition)}/${Number(offset)} ${String(id)}`;

/** Every record of `topics` as kcat reads it, as rows. */
async function kcatRows(topics: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const topic of topics) {
    for (const r of await readTopicWithKcat(bootstrapServers(), topic)) rows.push(row(topic, r.partition, r.offset, (JSON.parse(r.value) as { event_id: string }).event_id));
  }
  return rows.sort();
}

/** `n` events with ids `<tag>-<i>`. */
function events(tag: string, n: number): { event_id: string }[] {
  return Array.from({ length: n }, (_, i) => ({ event_id: `${tag}-${i}` }));
}

describe('a job reading several topics, through gamepipe-run --once', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function folder(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-topics-'));
    dirs.push(dir);
    await mkdir(join(dir, 'jobs'));
    return dir;
  }

  it('source.topics writes every record of both topics once, each row with its own $topic, and a second run adds only the new ones', { timeout: 180_000 }, async () => {
    const dir = await folder();
    const horses = uniqueTopic('horses');
    const swords = `swords-${suffix(horses)}`;
    await createTopic(horses, 3);
    await createTopic(swords, 2);
    const name = `two_topics_${suffix(horses)}`;
    await writeFile(join(dir, 'jobs', 'two.job.yaml'), `job: ${name}\nsource: { topics: [${horses}, ${swords}] }\n${SCHEMA}sink:\n  path: out/two\ntrigger: 100ms\n`);
    await produce(horses, events('h', 30));
    await produce(swords, events('s', 20));

    const first = await runOnce(dir, 'jobs');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const read = async () => (await queryJson(dir, 'jobs', `SELECT topic, partition, "offset", event_id FROM ${name}`)).map((r) => row(r.topic, r.partition, r.offset, r.event_id)).sort();
    const once = await read();
    expect(once).toHaveLength(50);
    expect(once).toEqual(await kcatRows([horses, swords]));

    // The table's checkpoints are per topic-partition: a second run reads on where each stopped.
    await produce(swords, events('s2', 5));
    const second = await runOnce(dir, 'jobs');
    expect(second.code).toBe(0);
    const twice = await read();
    expect(twice).toHaveLength(55);
    expect(twice).toEqual(await kcatRows([horses, swords]));
  });

  it('keeps both topics exactly once in the one table across kill -9 of the runner', { timeout: 180_000 }, async () => {
    const dir = await folder();
    const horses = uniqueTopic('killh');
    const swords = `kills-${suffix(horses)}`;
    await createTopic(horses, 2);
    await createTopic(swords, 2);
    const name = `killed_${suffix(horses)}`;
    await writeFile(join(dir, 'jobs', 'killed.job.yaml'), `job: ${name}\nsource: { topics: [${horses}, ${swords}] }\n${SCHEMA}sink:\n  path: out/killed\n  max_rows: 50\ntrigger: 100ms\n`);
    for (let round = 0; round < 3; round++) {
      const runner = new RunnerProcess(dir, ['jobs', '--metrics-port', '0']);
      await produce(horses, events(`h${round}`, 400), 100);
      await produce(swords, events(`s${round}`, 300), 100);
      await runner.waitForLog((l) => l.msg === 'batch committed');
      // The kill lands at a random point of the two runners' commits into the shared table.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 600)));
      await runner.stop('SIGKILL');
    }
    const drain = await runOnce(dir, 'jobs');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);
    const rows = (await queryJson(dir, 'jobs', `SELECT topic, partition, "offset", event_id FROM ${name}`)).map((r) => row(r.topic, r.partition, r.offset, r.event_id)).sort();
    expect(rows).toHaveLength(2100);
    expect(rows).toEqual(await kcatRows([horses, swords]));
  });

  it('a job one of whose topics does not exist fails as a whole, in one line', { timeout: 120_000 }, async () => {
    const dir = await folder();
    const present = uniqueTopic('present');
    const missing = `missing-${suffix(present)}`;
    await createTopic(present, 1);
    await produce(present, events('p', 3));
    const name = `half_${suffix(present)}`;
    await writeFile(join(dir, 'jobs', 'half.job.yaml'), `job: ${name}\nsource: { topics: [${present}, ${missing}] }\n${SCHEMA}sink:\n  path: out/half\ntrigger: 100ms\n`);
    const run = await runOnce(dir, 'jobs');
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`gamepipe run: job ${name} failed: topic '${missing}' does not exist (yet)`);
    // The other topic's runner stops with it; what it committed before (if anything) is there once.
    const rows = (await queryJson(dir, 'jobs', `SELECT topic, partition, "offset", event_id FROM ${name}`)).map((r) => row(r.topic, r.partition, r.offset, r.event_id));
    const presentRows = await kcatRows([present]);
    expect(new Set(rows).size).toBe(rows.length);
    for (const r of rows) expect(presentRows).toContain(r);
  });

  it('source.topic_pattern reads the matching topics only, into a Delta table delta-rs reads', { timeout: 180_000 }, async () => {
    const dir = await folder();
    const base = uniqueTopic('pattern');
    const [a, b, other] = [`${base}.a`, `${base}.b`, `${base}.other`];
    for (const t of [a, b, other]) await createTopic(t, 2);
    const name = `pattern_${suffix(base)}`;
    const table = join(dir, 'out', 'pattern');
    const pattern = `${base.replaceAll('.', '\\\\.')}\\\\.[ab]`;
    await writeFile(join(dir, 'jobs', 'pattern.job.yaml'), `job: ${name}\nsource:\n  topic_pattern: "${pattern}"\n${SCHEMA}sink:\n  path: ${table}\n  format: delta\ntrigger: 100ms\n`);
    await produce(a, events('a', 12));
    await produce(b, events('b', 8));
    await produce(other, events('o', 4));

    const run = await runOnce(dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const delta = await readWithDeltaRs(table, ['topic', 'partition', 'offset', 'event_id']);
    const rows = delta.values.event_id!.map((id, i) => row(delta.values.topic![i], delta.values.partition![i], delta.values.offset![i], id)).sort();
    expect(rows).toHaveLength(20);
    expect(rows).toEqual(await kcatRows([a, b]));
  });

  it('a streaming runner starts reading a topic that starts matching its pattern, from the job\'s start rule', { timeout: 180_000 }, async () => {
    const dir = await folder();
    const base = uniqueTopic('later');
    const [first, later] = [`${base}.first`, `${base}.later`];
    await createTopic(first, 1);
    const name = `later_${suffix(base)}`;
    await writeFile(join(dir, 'jobs', 'later.job.yaml'), `job: ${name}\nsource:\n  topic_pattern: "${base}\\\\..*"\n${SCHEMA}sink:\n  path: out/later\ntrigger: 100ms\n`);
    await produce(first, events('f', 6));
    const runner = new RunnerProcess(dir, ['jobs', '--metrics-port', '0'], { GAMEPIPE_TOPIC_REFRESH_MS: '300' });
    try {
      await runner.waitForLog((l) => l.msg === 'batch committed' && l.topic === first);
      // Created after the start, with records before the runner sees it: `start: earliest` reads them.
      await createTopic(later, 2);
      await produce(later, events('l', 9));
      await runner.waitForLog((l) => l.msg === "a topic started matching the job's topic_pattern; reading it" && l.topic === later);
      await runner.waitForLog((l) => l.msg === 'batch committed' && l.topic === later);
    } finally {
      expect(await runner.stop()).toBe(0);
    }
    const rows = (await queryJson(dir, 'jobs', `SELECT topic, partition, "offset", event_id FROM ${name}`)).map((r) => row(r.topic, r.partition, r.offset, r.event_id)).sort();
    expect(rows).toHaveLength(15);
    expect(rows).toEqual(await kcatRows([first, later]));
  });
});
