import { describe, expect, it } from 'vitest';
import { healthResult, type JobHealth } from '../../src/query/job-status.js';

const health = (job: string, lag: JobHealth['lag']): JobHealth => ({ job, state: 'running', lag, lastBatchAt: undefined, rows: 1, rejected: 0, files: 1, bytes: 10 });

describe('gamepipe status lines', () => {
  it('names the topic of each partition only for a job that reads several', () => {
    const result = healthResult([
      health('one', [{ topic: 'events', partition: 0, lag: 3, end: 5, committed: 2 }]),
      health('two', [
        { topic: 'horses', partition: 0, lag: 3, end: 5, committed: 2 },
        { topic: 'swords', partition: 0, lag: 1, end: 1, committed: undefined },
      ]),
      health('down', undefined),
    ]);
    expect(result.text.map((line) => line[2])).toEqual(['p0=3', 'horses/p0=3 swords/p0=1', 'kafka unreachable']);
  });
});
