import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerDown, brokerPaths, brokerUp } from '../../src/broker/local-broker.js';
import { produce, seedEvents } from '../support/events.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

// The tests share one broker of their own (a JVM start each would double the file's time): the second
// goes on from the table and checkpoints the first left.
describe('a broker that goes away and comes back', () => {
  let broker: OwnBroker | undefined;
  let events: ReturnType<typeof seedEvents> = [];
  afterAll(() => broker?.dispose());

  it('is waited for with retries, and the runner resumes where it was without losing a record', { timeout: 150_000 }, async () => {
    broker = await startOwnBroker('gamepipe-restart');
    const { dir, port } = broker;

    await mkdir(join(dir, 'jobs'));
    await writeFile(
      join(dir, 'jobs', 'all.job.yaml'),
      `job: restart_all\nsource: { topic: restart }\nschema:\n  event_id: string\nsink: { path: out/all }\ntrigger: 200ms\n`,
    );
    events = seedEvents(2000);
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

  it('a second signal stops at once while the first waits on a frozen broker, and a restart loses nothing', { timeout: 90_000 }, async () => {
    const { dir, port } = broker!;
    const { pid } = JSON.parse(await readFile(brokerPaths(port).state, 'utf8')) as { pid: number };
    const more = seedEvents(500);
    const runner = new RunnerProcess(dir, ['jobs']);
    let frozen = false;
    try {
      await runner.waitForLog((l) => l.msg === 'partitions assigned');
      await produce('restart', more);
      process.kill(pid, 'SIGSTOP');
      frozen = true;
      runner.child.kill('SIGTERM');
      await runner.waitForLog((l) => String(l.msg).startsWith('stopping'));
      // Killed by the second signal (no exit code), not a graceful exit that happened to be quick.
      expect(await runner.stop('SIGTERM', 10_000)).toBeNull();
      expect(runner.child.signalCode).toBe('SIGTERM');
    } finally {
      if (frozen) process.kill(pid, 'SIGCONT');
      if (runner.child.exitCode === null && runner.child.signalCode === null) await runner.stop('SIGKILL');
    }

    const again = new RunnerProcess(dir, ['jobs']);
    try {
      const all = [...events, ...more].map((e) => e.event_id!).sort();
      await eventually(async () => (await readTable(join(dir, 'out/all'))).length >= all.length, 60_000, 'every event after the restart');
      expect((await readTable(join(dir, 'out/all'))).map((r) => r.event_id as string).sort()).toEqual(all);
    } finally {
      expect(await again.stop('SIGTERM')).toBe(0);
    }
  });
});
