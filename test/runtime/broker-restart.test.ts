import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerDown, brokerUp } from '../../src/broker/local-broker.js';
import { produce, seedEvents } from '../support/events.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';

describe('a broker that goes away and comes back', () => {
  let dir: string;
  let port: number;
  const savedEnv = { ...process.env };
  afterAll(async () => {
    await brokerDown(port);
    process.env = savedEnv;
    await rm(dir, { recursive: true, force: true });
  });

  it('is waited for with retries, and the runner resumes where it was without losing a record', { timeout: 150_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-restart-'));
    port = await freePort();
    // A broker of this test's own, so stopping it disturbs no other test.
    process.env.GAMEPIPE_HOME = join(dir, '.gamepipe');
    const { address } = await brokerUp(port);
    process.env.KAFKA_BROKERS = address;

    await mkdir(join(dir, 'jobs'));
    await writeFile(
      join(dir, 'jobs', 'all.job.yaml'),
      `job: restart_all\nsource: { topic: restart }\nschema:\n  event_id: string\nsink: { path: out/all }\ntrigger: 200ms\n`,
    );
    const events = seedEvents(2000);
    await produce('restart', events.slice(0, 1000));
    const runner = new RunnerProcess(dir, ['jobs']);
    try {
      await eventually(async () => (await readTable(join(dir, 'out/all'))).length === 1000, 30_000, 'the first half');

      await brokerDown(port);
      await new Promise((r) => setTimeout(r, 3000));
      expect(runner.child.exitCode).toBeNull();
      await brokerUp(port);
      await produce('restart', events.slice(1000));

      await eventually(async () => (await readTable(join(dir, 'out/all'))).length === 2000, 60_000, 'the second half');
      const ids = (await readTable(join(dir, 'out/all'))).map((r) => r.event_id as string);
      expect(ids.sort()).toEqual(events.map((e) => e.event_id!).sort());
    } finally {
      expect(await runner.stop('SIGTERM')).toBe(0);
    }
  });
});
