import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerDown, brokerUp } from '../../src/broker/local-broker.js';
import { produce, seedEvents } from '../support/events.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

describe('a broker that goes away and comes back', () => {
  let broker: OwnBroker | undefined;
  afterAll(() => broker?.dispose());

  it('is waited for with retries, and the runner resumes where it was without losing a record', { timeout: 150_000 }, async () => {
    broker = await startOwnBroker('gamepipe-restart');
    const { dir, port } = broker;

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
