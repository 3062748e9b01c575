import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventStream } from '../../../bench/workload/events.js';
import type { CompiledJob, RecordMeta } from '../../../src/dsl/job-spec.js';
import { loadJobs } from '../../../src/dsl/load-jobs.js';
import { jobLiterals } from '../../../src/runtime/prefilter/job-literals.js';
import { recordPrefilter } from '../../../src/runtime/prefilter/record-prefilter.js';
import { compiled, jobText } from '../../dsl/job-text.js';
import { randomJobs, randomRecord, VOCAB } from './random-jobs.js';
import { chance, int, pick, prng } from '../../support/random.js';

const JOBS = fileURLToPath(new URL('../../../jobs/', import.meta.url));
const workload = [...eventStream(2000, 9)];
const meta = (key: string | null = null): RecordMeta => ({ topic: 'events', partition: 0, offset: '0', timestamp: 0, key, raw: '' });

/**
 * Why skipping `value` would change what the jobs do, or undefined when it would not: every job
 * must see a JSON object it drops, in a record within its size bound.
 */
function wrongSkip(value: Buffer, jobs: readonly CompiledJob[], m: RecordMeta): string | undefined {
  let event: unknown;
  try {
    event = JSON.parse(value.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return 'not a JSON object';
  for (const job of jobs) {
    if (value.length > job.spec.maxRecordBytes) return `over ${job.spec.job}'s max_record_bytes`;
    if (job.filter(event as Record<string, unknown>, m)) return `${job.spec.job} (${job.spec.where}) keeps it`;
  }
  return undefined;
}

describe('recordPrefilter on the example jobs', () => {
  let byName: Map<string, CompiledJob>;
  beforeAll(async () => {
    const { jobs } = await loadJobs([JOBS]);
    byName = new Map(jobs.map((j) => [j.spec.job, j]));
  });
  const three = () => ['sword_purchases', 'horse_purchases', 'guild_actions'].map((n) => byName.get(n)!);

  it('finds one set of values per job', () => {
    const sets = Object.fromEntries([...byName].map(([name, job]) => [name, [...jobLiterals(job)!].sort()]));
    expect(sets).toEqual({
      default_hits: ['default'],
      guild_actions: ['join_guild', 'leave_guild'],
      horse_purchases: ['purchase_horse'],
      spellbook_purchases: ['purchase_spellbook'],
      sword_purchases: ['purchase_sword'],
    });
    expect(recordPrefilter(three())).toBeDefined();
    expect(recordPrefilter([...byName.values()])).toBeDefined();
  });

  it('skips exactly the workload records no job keeps, 35% of them for the benchmark jobs', () => {
    for (const jobs of [three(), [...byName.values()]]) {
      const skip = recordPrefilter(jobs)!;
      let skipped = 0;
      let keptByNone = 0;
      const n = 20_000;
      for (const event of eventStream(n, 7)) {
        const value = Buffer.from(JSON.stringify(event));
        const m = meta(event.event_id!);
        const noneKeeps = jobs.every((j) => !j.filter(event, m));
        if (noneKeeps) keptByNone++;
        if (skip(value)) {
          skipped++;
          expect(wrongSkip(value, jobs, m)).toBeUndefined();
        }
      }
      // These events have no escapes and every one is an object, so the test loses none.
      expect(skipped).toBe(keptByNone);
      if (jobs.length === 3) expect(skipped / n).toBeCloseTo(0.35, 1);
    }
  });

  it('does not skip a record that is bad, oversize, escaped or holds a wanted value anywhere', () => {
    const skip = recordPrefilter(three())!;
    const s = (text: string | Buffer) => skip(typeof text === 'string' ? Buffer.from(text) : text);
    expect(s('{"event_type":"default"}')).toBe(true);
    expect(s(' {"event_type" : "upgrade_sword", "n": [1, {"a": null}]}\n')).toBe(true);
    expect(s('{"event_type":"purchase_horse"}')).toBe(false);
    expect(s('{"note":"purchase_horse","event_type":"default"}')).toBe(false); // a wanted value, even where no job reads it
    expect(s('{"purchase_horse":1,"event_type":"default"}')).toBe(true); // a key is no value any job compares
    expect(s('{"event_type":"purchase\\u005fhorse"}')).toBe(false);
    expect(s('{"event_type":"default","a":"\\n"}')).toBe(false);
    for (const bad of ['', 'null', '[]', '[{"event_type":"default"}]', '"default"', '5', '{"event_type":"default"', '{"event_type":default}', '{} {}']) {
      expect(s(bad), bad).toBe(false);
    }
    expect(s(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"event_type":"default"}')]))).toBe(false);
    expect(s('{"a":' + '['.repeat(1000) + ']'.repeat(1000) + '}')).toBe(false);
    expect(skip(null)).toBe(false);
  });

  it('does not skip a record over the smallest max_record_bytes of the jobs', () => {
    const small = compiled(jobText('where: event_type == "a"\n').replace('topic: events\n', 'topic: events\n  max_record_bytes: 30\n'));
    const other = compiled(jobText('where: event_type == "b"\n'));
    const skip = recordPrefilter([other, small])!;
    expect(skip(Buffer.from('{"event_type":"c","n":1234}'))).toBe(true); // 27 bytes
    expect(skip(Buffer.from('{"event_type":"c","n":1234567}'))).toBe(true); // 30 bytes
    expect(skip(Buffer.from('{"event_type":"c","n":12345678}'))).toBe(false); // 31: a bad record for `small`
  });

  it('gives no test when one job has no set of values, or a value a record could hold in other bytes', () => {
    const job = (where?: string) => compiled(jobText(where === undefined ? '' : `where: ${JSON.stringify(where)}\n`));
    expect(recordPrefilter([])).toBeUndefined();
    expect(recordPrefilter([job('event_type == "a"'), job()])).toBeUndefined();
    expect(recordPrefilter([job('event_type == "a"'), job('event_type != "a"')])).toBeUndefined();
    expect(recordPrefilter([job('event_type == "a"'), job('event_type == "a\\"b"')])).toBeUndefined();
    expect(recordPrefilter([job('event_type == "\\ufffd"')])).toBeUndefined();
    // A string column reads the number 5.0 as "5": no search for text could see it.
    const five = job('size == "5"');
    expect(five.filter({ size: 5.0 }, meta())).toBe(true);
    expect(recordPrefilter([five])).toBeUndefined();
  });
});

describe('the glance at where the last wanted value was', () => {
  it('can keep a record from being skipped, never make one skipped', () => {
    const job = compiled(jobText('where: event_type == "purchase_sword"\n'));
    const skip = recordPrefilter([job])!;
    const keyThere = Buffer.from('{"a":[1,2,34],"purchase_sword":3}'); // the value's bytes as a key, at offset 15
    expect(recordPrefilter([job])!(keyThere)).toBe(true);
    expect(skip(Buffer.from('{"event_type":"purchase_sword"}'))).toBe(false); // its value at offset 15
    expect(skip(keyThere)).toBe(false); // a skip missed, a decode spent: never a wrong skip
    expect(skip(Buffer.from('{"event_type":"purchase_shield"}'))).toBe(true);
  });

  it('skips no record a fresh test would not skip, and misses none of the workload', async () => {
    const { jobs } = await loadJobs([JOBS]);
    const rand = prng(707);
    const pool = randomJobs(rand, 100).filter((j) => recordPrefilter([j]) !== undefined);
    for (const set of [jobs, ...Array.from({ length: 50 }, () => [pick(rand, pool), pick(rand, pool)])]) {
      const skip = recordPrefilter(set)!;
      for (let r = 0; r < 200; r++) {
        const value = chance(rand, 0.5) ? randomRecord(rand) : Buffer.from(JSON.stringify(pick(rand, workload)));
        const fresh = recordPrefilter(set)!(value);
        if (skip(value)) expect(fresh, value.toString('utf8')).toBe(true);
      }
    }
    const three = recordPrefilter(jobs)!;
    for (const event of workload) {
      const value = Buffer.from(JSON.stringify(event));
      expect(three(value)).toBe(recordPrefilter(jobs)!(value));
    }
  });
});

describe('recordPrefilter on generated jobs and records', () => {
  it('skips only records that every job would see as an object and drop', () => {
    const rand = prng(404);
    const pool = randomJobs(rand, 400);
    // Most picks from the jobs that have a set of values, so most job sets get a test to check.
    const withSet = pool.filter((j) => jobLiterals(j) !== undefined);
    let tests = 0;
    let checked = 0;
    let skipped = 0;
    for (let trial = 0; trial < 4000; trial++) {
      const jobs = Array.from({ length: 1 + int(rand, 3) }, () => pick(rand, chance(rand, 0.85) ? withSet : pool));
      const skip = recordPrefilter(jobs);
      if (!skip) continue;
      tests++;
      for (let r = 0; r < 40; r++) {
        const value = randomRecord(rand);
        const m = meta(chance(rand, 0.5) ? pick(rand, VOCAB) : null);
        checked++;
        if (!skip(value)) continue;
        skipped++;
        const why = wrongSkip(value, jobs, m);
        if (why) expect.fail(`trial ${trial} (seed 404): skipped ${value.toString('utf8')} but ${why}`);
      }
    }
    // The property holds of something: many job sets get a test, and it skips a fair share.
    expect(withSet.length).toBeGreaterThan(50);
    expect(tests).toBeGreaterThan(1000);
    expect(skipped).toBeGreaterThan(checked / 10);
  });
});
