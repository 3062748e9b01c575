import { describe, expect, it } from 'vitest';
import { lagTargets } from '../../src/status/job-lag.js';
import { compiled } from '../dsl/job-text.js';

const store = { committedOffsets: async () => new Map() };

/** A compiled job reading `source` (YAML lines under `source:`). */
function job(name: string, source: string) {
  return compiled(`job: ${name}\nsource:\n${source}schema:\n  event_id: string\nsink:\n  path: data/${name}\n`);
}

describe('lag targets', () => {
  it('gives a job one target per topic it reads, listing the cluster only for a pattern job', async () => {
    let listed = 0;
    const admin = {
      listTopics: async () => {
        listed++;
        return ['game-b', 'game-a', 'other', '__consumer_offsets'];
      },
    };
    const fixed = [
      { job: job('one', '  topic: events\n'), store },
      { job: job('two', '  topics: [a, b]\n'), store },
    ];
    expect((await lagTargets(admin, fixed)).map((t) => `${t.job}:${t.topic}`)).toEqual(['one:events', 'two:a', 'two:b']);
    expect(listed).toBe(0);

    const withPattern = [...fixed, { job: job('pattern', '  topic_pattern: "game-.*"\n'), store }];
    expect((await lagTargets(admin, withPattern)).map((t) => `${t.job}:${t.topic}`)).toEqual(['one:events', 'two:a', 'two:b', 'pattern:game-a', 'pattern:game-b']);
    expect(listed).toBe(1);
  });
});
