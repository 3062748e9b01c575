import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { combineRuns, median } from '../../bench/compare/combine-runs.js';
import { quantile } from '../../bench/compare/latency.js';
import { committedParquetFiles } from '../../bench/compare/output-files.js';
import { generateEvents } from '../../bench/workload/events.js';
import { expectedTotals } from '../../bench/workload/tables.js';

describe('bench workload', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(generateEvents(50, 7)).toEqual(generateEvents(50, 7));
    expect(generateEvents(50, 7)).not.toEqual(generateEvents(50, 8));
  });

  it('produces the seed-like mix with string values and headers', () => {
    const events = generateEvents(5000, 1);
    const types = new Set(events.map((e) => e.event_type));
    for (const t of ['default', 'purchase_sword', 'purchase_horse', 'join_guild', 'leave_guild']) expect(types).toContain(t);
    for (const e of events) {
      expect(Object.values(e).every((v) => typeof v === 'string')).toBe(true);
      expect(e.Host).toMatch(/^user\d+\./);
      expect(e['User-Agent']).toBeTruthy();
      expect(e.Accept).toBe('*/*');
      expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(events.some((e) => e.event_type === 'purchase_sword' && e.quantity === undefined)).toBe(true);
  });

  it('totals count rows per table and sum only present numeric fields', () => {
    const totals = expectedTotals([
      { event_type: 'purchase_sword', quantity: '2' },
      { event_type: 'purchase_sword' },
      { event_type: 'purchase_horse', speed: '3', quantity: '1' },
      { event_type: 'leave_guild' },
      { event_type: 'default' },
    ]);
    expect(totals.sword_purchases).toEqual({ rows: 2, sums: { quantity: 2 } });
    expect(totals.horse_purchases).toEqual({ rows: 1, sums: { speed: 3, quantity: 1 } });
    expect(totals.guild_actions).toEqual({ rows: 1, sums: {} });
  });
});

describe('bench harness pure parts', () => {
  it('takes nearest-rank quantiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('lists only the files a Spark sink committed, and visible parquet files otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-files-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const spark = join(dir, 'spark');
    mkdirSync(join(spark, '_spark_metadata'), { recursive: true });
    const committed = join(spark, 'part-0.parquet');
    writeFileSync(committed, '');
    writeFileSync(join(spark, 'part-uncommitted.parquet'), '');
    writeFileSync(join(spark, '_spark_metadata', '0'), `v1\n${JSON.stringify({ path: pathToFileURL(committed).href, action: 'add' })}\n`);
    expect(committedParquetFiles(spark)).toEqual([committed]);

    const plain = join(dir, 'plain');
    mkdirSync(join(plain, 'dt=2026-11-22'), { recursive: true });
    mkdirSync(join(plain, '_gamepipe'), { recursive: true });
    writeFileSync(join(plain, 'dt=2026-11-22', 'a.parquet'), '');
    writeFileSync(join(plain, '_gamepipe', 'b.parquet'), '');
    writeFileSync(join(plain, '.c.parquet'), '');
    expect(committedParquetFiles(plain)).toEqual([join(plain, 'dt=2026-11-22', 'a.parquet')]);
  });
});

describe('combining benchmark runs', () => {
  it('reports medians of the successful runs and the worst status', () => {
    const run = (wall: number, status: 'ok' | 'failed' = 'ok') =>
      ({ name: 'x', description: '', kind: 'pipeline', status, wallSeconds: wall, peakRssBytes: wall * 10, cpuSeconds: wall, correctness: 'ok' }) as const;
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([null, undefined])).toBeUndefined();
    const ok = combineRuns([run(4), run(2), run(3)], 100);
    expect(ok).toMatchObject({ status: 'ok', wallSeconds: 3, eventsPerSecond: 100 / 3, peakRssBytes: 30, cpuSeconds: 3 });
    const mixed = combineRuns([run(4), { ...run(99, 'failed'), reason: 'killed' }], 100);
    expect(mixed).toMatchObject({ status: 'failed', wallSeconds: 4, reason: 'killed' });
    expect(mixed.eventsPerSecond).toBeUndefined();
  });
});
