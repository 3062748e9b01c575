import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeWithJava, produceWithJava } from '../support/java-kafka.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { runOnce } from '../support/runner-process.js';

// zstd batches as Kafka's Java producer writes them (frames without a content size, a 128 MiB
// window at level 22), read by gamepipe and compared record by record with Kafka's Java consumer.

function copyJob(topic: string): string {
  return `job: zstd_${suffix(topic)}
source: { topic: ${topic} }
schema:
  n: long
  offset: { from: $offset, type: long }
include: [raw_event]
sink: { path: out/${suffix(topic)} }
trigger: 500ms
`;
}

describe('zstd batches of the Java producer', () => {
  let dir: string;
  const topics = { level22: uniqueTopic('zstd22'), oneRecordBatches: uniqueTopic('zstd3single') };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-zstd-'));
    await mkdir(join(dir, 'jobs'));
    for (const topic of Object.values(topics)) {
      await createTopic(topic, 1);
      await writeFile(join(dir, 'jobs', `${suffix(topic)}.job.yaml`), copyJob(topic));
    }
    await produceWithJava(topics.level22, 22, 1500);
    await produceWithJava(topics.oneRecordBatches, 3, 200, 0);
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads every record exactly as the Java consumer does, at level 22 and in one-record batches at level 3', async () => {
    const result = await runOnce(dir, 'jobs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const [topic, count] of [[topics.level22, 1500], [topics.oneRecordBatches, 200]] as const) {
      const expected = await consumeWithJava(topic);
      expect(expected.length).toBe(count);
      const rows = (await readTable(join(dir, 'out', suffix(topic)))).map((r) => [Number(r.offset), r.raw_event as string] as [number, string]);
      rows.sort((a, b) => a[0] - b[0]);
      expect(rows).toEqual(expected);
    }
  }, 120_000);
});
