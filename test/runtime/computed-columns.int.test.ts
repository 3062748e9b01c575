import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce, type GameEvent } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { runOnce } from '../support/runner-process.js';

/**
 * A job whose computed columns use most of the new functions, with a bad record when `speed` is
 * odd, and a `where:` that reads one of them, so the processing threads get that tree too.
 */
function computedJob(topic: string): string {
  return `job: computed_${suffix(topic)}
source: { topic: ${topic} }
where: event_type == "purchase_horse" and (purchase_hour is null or purchase_hour < 20)
schema:
  event_id: string
  event_ts: timestamp
  quantity: int
  purchase_hour: { expr: "hour(event_ts)", type: int }
  purchase_day: { expr: "date_trunc('day', event_ts)", type: date }
  sold_at: { expr: "to_timestamp(sold, 'yyyy-MM-dd HH:mm:ss')", type: timestamp }
  client: { expr: "split_part(\`User-Agent\`, '/', 1)", type: string }
  client_version: { expr: "regexp_extract(\`User-Agent\`, '/([0-9.]+)$')", type: string }
  label: { expr: "concat(upper(substring(size, 1, 1)), '-', quantity)", type: string }
  bulk: { expr: "if(quantity >= 2, 'bulk', 'single')", type: string }
  half_speed: { expr: "double(speed) / 2", type: int }
  price: { expr: "round(abs(coalesce(double(price), 0)) * 1.1, 2)", type: double }
sink:
  path: out/computed
  partition_by: [dt]
trigger: 100ms
on_bad_record: dead_letter
`;
}

function event(i: number, extra: Partial<GameEvent> = {}): GameEvent {
  return {
    event_type: 'purchase_horse',
    event_id: `e${i}`,
    event_ts: new Date(Date.UTC(2026, 10, 22, i, 30)).toISOString(),
    quantity: String(i % 3),
    size: ['small', 'medium', 'large'][i % 3]!,
    speed: String(2 * i),
    price: String(-i),
    sold: `2026-11-21 0${i}:15:00`,
    'User-Agent': `ApacheBench/2.${i}`,
    ...extra,
  };
}

describe('computed columns through gamepipe-run --once', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('writes each computed value as its declared type, and a value that cannot be coerced is a dead letter naming the column', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-computed-'));
    dirs.push(dir);
    const topic = uniqueTopic('computed');
    await createTopic(topic, 1);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'computed.job.yaml'), computedJob(topic));
    const good = [1, 2, 3, 4].map((i) => event(i));
    const odd = event(5, { speed: '5' });
    const sparse: GameEvent = { event_type: 'purchase_horse', event_id: 'e6', quantity: '1' };
    const late = event(21);
    await produce(topic, [...good, odd, sparse, late, { event_type: 'purchase_sword', event_id: 'e7' }]);

    const run = await runOnce(dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const rows = (await readTable(join(dir, 'out/computed'))).sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
    // event_ts and dt are the runtime's business, tested elsewhere; the computed columns are this test's.
    const computed = rows.map(({ event_ts: _ts, dt: _dt, ...r }) => ({ ...r, purchase_day: ms(r.purchase_day), sold_at: ms(r.sold_at) }));
    expect(computed).toEqual([
      ...good.map((e, k) => {
        const i = k + 1;
        return {
          event_id: e.event_id, quantity: i % 3, purchase_hour: i, purchase_day: day(2026, 11, 22), sold_at: Date.UTC(2026, 10, 21, i, 15),
          client: 'ApacheBench', client_version: `2.${i}`, label: `${e.size![0]!.toUpperCase()}-${i % 3}`, bulk: i % 3 >= 2 ? 'bulk' : 'single',
          half_speed: i, price: Math.round(i * 1.1 * 100) / 100,
        };
      }),
      {
        event_id: 'e6', quantity: 1, purchase_hour: null, purchase_day: null, sold_at: null, client: null, client_version: null,
        label: null, bulk: 'single', half_speed: null, price: 0,
      },
    ]);

    const rejected = await readTable(join(dir, 'out/computed_rejected'));
    expect(rejected.map((r) => r.reason)).toEqual(['column half_speed: cannot read 2.5 as int (the value of its expr)']);
    expect(JSON.parse(String(rejected[0]!.raw_event))).toEqual(odd);
  });
});

/** Epoch ms of what DuckDB gives for a DATE or TIMESTAMP column (null stays null). */
function ms(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  return Number(v);
}
