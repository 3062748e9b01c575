import { mkdtemp, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';

function job(name: string, topic: string, eventType: string): string {
  return `job: ${name}_${suffix(topic)}
source: { topic: ${topic} }
where: event_type == "${eventType}"
schema:
  event_id: string
  event_type: string
sink: { path: out/${name} }
trigger: 200ms
`;
}

describe('a running gamepipe-run follows its job folder', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts an added job, reports an invalid file without stopping others, stops a removed job', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-hot-'));
    const topic = uniqueTopic('hot');
    await createTopic(topic, 1);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'swords.job.yaml'), job('swords', topic, 'purchase_sword'));
    const events = seedEvents(1000);
    const count = (type: string) => events.filter((e) => e.event_type === type).length;
    await produce(topic, events);

    const runner = new RunnerProcess(dir, ['jobs']);
    try {
      await eventually(async () => (await readTable(join(dir, 'out/swords'))).length === count('purchase_sword'), 30_000, 'the swords table');

      await writeFile(join(dir, 'jobs', 'spellbooks.job.yaml'), job('spellbooks', topic, 'purchase_spellbook'));
      await eventually(async () => (await readTable(join(dir, 'out/spellbooks'))).length === count('purchase_spellbook'), 30_000, 'the added job');

      await writeFile(join(dir, 'jobs', 'broken.job.yaml'), 'job: broken\nsource: { topic: x }\nwhere: event_type ==\n');
      await eventually(() => runner.stderr.includes('broken.job.yaml:3:'), 10_000, 'the error report');
      expect(runner.child.exitCode).toBeNull();

      // The running jobs keep going after the bad file: new events still arrive.
      const more = seedEvents(100);
      await produce(topic, more);
      const swordsNow = count('purchase_sword') + more.filter((e) => e.event_type === 'purchase_sword').length;
      await eventually(async () => (await readTable(join(dir, 'out/swords'))).length === swordsNow, 30_000, 'swords after the bad file');

      await unlink(join(dir, 'jobs', 'spellbooks.job.yaml'));
      await runner.waitForLog((l) => l.msg === 'job file removed; stopping the job' && l.job === `spellbooks_${suffix(topic)}`);
    } finally {
      expect(await runner.stop('SIGTERM')).toBe(0);
    }
  });
});
