import { mkdtemp, rm, writeFile, mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunnerStatus } from '../../src/status/runner-status.js';
import { gamepipe } from '../support/gamepipe-cli.js';
import { produce, seedEvents } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { freePort } from '../support/ports.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';

function job(name: string, topic: string, eventType: string, extraColumns = ''): string {
  return `job: ${name}_${suffix(topic)}
source: { topic: ${topic} }
where: event_type == "${eventType}"
schema:
  event_id: string
  event_type: string
${extraColumns}sink: { path: out/${name} }
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

  it('keeps a job whose file turns invalid running, visibly in /status, /metrics, gamepipe status and one log line, until the file is fixed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-invalid-'));
    try {
      const topic = uniqueTopic('invalid');
      await createTopic(topic, 1);
      await mkdir(join(dir, 'jobs'));
      const file = join('jobs', 'horses.job.yaml');
      const horses = `horses_${suffix(topic)}`;
      await writeFile(join(dir, 'jobs', 'swords.job.yaml'), job('swords', topic, 'purchase_sword'));
      await writeFile(join(dir, file), job('horses', topic, 'purchase_horse'));
      const events = seedEvents(500);
      const horsesIn = (list: typeof events) => list.filter((e) => e.event_type === 'purchase_horse').length;
      await produce(topic, events);

      const metricsUrl = `http://127.0.0.1:${await freePort()}`;
      const runner = new RunnerProcess(dir, ['--metrics-port', metricsUrl.split(':').at(-1)!, 'jobs']);
      const status = () => fetch(`${metricsUrl}/status`).then((r) => r.json() as Promise<RunnerStatus>);
      const horsesStatus = async () => (await status()).jobs.find((j) => j.job === horses);
      const gauges = async () => {
        const text = await fetch(`${metricsUrl}/metrics`).then((r) => r.text());
        return new Map([...text.matchAll(/^gamepipe_job_file_invalid\{job="([^"]+)"\} (\d)$/gm)].map((m) => [m[1]!, Number(m[2])]));
      };
      const isInvalidLog = (l: Record<string, unknown>) => l.msg === 'job file is invalid; the job keeps running its last valid version' && l.file === file;
      try {
        await eventually(async () => (await readTable(join(dir, 'out/horses'))).length === horsesIn(events), 30_000, 'the horses table');
        expect(await gauges()).toEqual(new Map([[horses, 0], [`swords_${suffix(topic)}`, 0]]));

        // Line 3 loses its right-hand side: the file no longer validates.
        await writeFile(join(dir, file), job('horses', topic, 'purchase_horse').replace('== "purchase_horse"', '=='));
        const warned = await runner.waitForLog(isInvalidLog, 10_000);
        expect(warned).toMatchObject({ level: 40, job: horses, error: expect.stringMatching(/^jobs\/horses\.job\.yaml:3:\d+: error: /) });
        await eventually(async () => (await horsesStatus())?.invalidFile !== undefined, 10_000, 'the invalid file in /status');
        expect(await horsesStatus()).toMatchObject({ state: 'running', file: join(dir, file), invalidFile: warned.error });
        expect((await gauges()).get(horses)).toBe(1);
        expect((await gauges()).get(`swords_${suffix(topic)}`)).toBe(0);

        // The old version keeps reading and writing, and its lag is still measured.
        const more = seedEvents(200);
        await produce(topic, more);
        await eventually(async () => (await readTable(join(dir, 'out/horses'))).length === horsesIn(events) + horsesIn(more), 30_000, 'horses written after the file turned invalid');
        await eventually(async () => (await status()).lag.some((l) => l.job === horses && l.end === events.length + more.length && l.lag === 0), 10_000, 'the horses lag');

        const cli = await gamepipe(dir, ['status', '--jobs', 'jobs', '--metrics-url', metricsUrl]);
        expect(cli.code, cli.stderr).toBe(0);
        const line = cli.stdout.split('\n').find((l) => l.includes(horses));
        expect(line).toContain(`running; invalid file: ${warned.error}`);
        // Reported once per version of the file, not at every rescan (one a second): a few rescans later still one.
        await new Promise((r) => setTimeout(r, 2500));
        expect(runner.logs.filter(isInvalidLog)).toHaveLength(1);

        // Fixed with a change: the invalid mark goes, and the new version (a size column) runs.
        await writeFile(join(dir, file), job('horses', topic, 'purchase_horse', '  size: string\n'));
        await runner.waitForLog((l) => l.msg === 'job file changed; restarting the job' && l.job === horses, 10_000);
        await eventually(async () => (await horsesStatus())?.invalidFile === undefined && (await gauges()).get(horses) === 0, 10_000, 'the invalid mark cleared');
        const last = seedEvents(100);
        await produce(topic, last);
        const total = horsesIn(events) + horsesIn(more) + horsesIn(last);
        await eventually(async () => (await readTable(join(dir, 'out/horses'))).length === total, 30_000, 'horses written by the fixed version');
        const rows = await readTable(join(dir, 'out/horses'));
        expect(rows.filter((r) => r.size !== null && r.size !== undefined)).toHaveLength(horsesIn(last));
      } finally {
        expect(await runner.stop('SIGTERM')).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
