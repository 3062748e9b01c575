import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../src/serial-queue.js';

describe('SerialQueue', () => {
  it('runs work one piece at a time, in the order handed in', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const first = queue.run(async () => {
      log.push('first starts');
      await new Promise<void>((r) => (release = r));
      log.push('first ends');
      return 1;
    });
    const second = queue.run(() => {
      log.push('second');
      return 2;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(log).toEqual(['first starts']);
    release();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(log).toEqual(['first starts', 'first ends', 'second']);
  });

  it('gives each caller its own failure and runs on after it', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(async () => {
      throw new Error('boom');
    });
    const after = queue.run(() => 'ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('ran');
    await expect(queue.idle()).resolves.toBeUndefined();
  });
});
