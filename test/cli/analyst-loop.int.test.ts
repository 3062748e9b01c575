import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server.js';
import { writeExampleJobs } from '../support/example-jobs.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';

/** The requests the test sends, with what each one means for the tables. */
type Sent =
  | { kind: 'sword'; path: string; color: string | null; quantity: number | null }
  | { kind: 'horse'; path: string; size: string; quantity: number }
  | { kind: 'guild'; path: string; eventType: 'join_guild' | 'leave_guild' }
  | { kind: 'spellbook'; path: string; school: string; level: number }
  | { kind: 'default'; path: string };

function requests(): Sent[] {
  const sent: Sent[] = [];
  const swords: [string, number, number][] = [['red', 2, 2], ['red', 5, 1], ['blue', 1, 3], ['green', 4, 1]];
  for (const [color, quantity, times] of swords) for (let i = 0; i < times; i++) sent.push({ kind: 'sword', path: `/purchase_a_sword/${color}/${quantity}`, color, quantity });
  sent.push({ kind: 'sword', path: '/purchase_a_sword', color: null, quantity: null });
  const horses: [string, number, number][] = [['small', 1, 2], ['large', 2, 3], ['medium', 1, 1], ['LARGE', 3, 1]];
  for (const [size, quantity, times] of horses) for (let i = 0; i < times; i++) sent.push({ kind: 'horse', path: `/purchase_a_horse/3/${size}/${quantity}`, size: size.toLowerCase(), quantity });
  sent.push({ kind: 'guild', path: '/join_a_guild/ana/knights', eventType: 'join_guild' });
  sent.push({ kind: 'guild', path: '/join_a_guild/bo/mages', eventType: 'join_guild' });
  sent.push({ kind: 'guild', path: '/guild/join?username=cy&guildname=knights', eventType: 'join_guild' });
  sent.push({ kind: 'guild', path: '/guild/leave?username=ana&guildname=knights', eventType: 'leave_guild' });
  sent.push({ kind: 'spellbook', path: '/purchase/spellbook?school=fire&level=3', school: 'fire', level: 3 });
  sent.push({ kind: 'default', path: '/' });
  return sent;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('the analyst loop: API -> Kafka -> runner -> gamepipe query / status', () => {
  let dir: string;
  let api: RunningApi | undefined;
  let runner: RunnerProcess | undefined;
  afterAll(async () => {
    await api?.close();
    await runner?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers exact totals of what was sent, and status and /metrics show the same figures', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-analyst-'));
    const topic = uniqueTopic('analyst');
    await createTopic(topic, 2);
    const t = await writeExampleJobs(dir, topic, randomUUID().slice(0, 6));
    const port = await freePort();
    runner = new RunnerProcess(dir, ['--metrics-port', String(port), 'jobs']);
    api = await startApi({ port: 0, topic, log: () => {} });

    const sent = requests();
    for (const r of sent) {
      const res = await fetch(`${api.url}${r.path}`);
      expect(res.status, r.path).toBe(200);
    }

    // Done when every job's checkpoints reach the topic's end, as the runner's own /status says.
    const metricsUrl = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      const status = await fetch(`${metricsUrl}/status`).then((r) => r.json() as Promise<{ lag: { end: number; lag: number }[] }>).catch(() => undefined);
      const ends = status?.lag.reduce((s, l) => s + l.end, 0) ?? 0;
      return status !== undefined && status.lag.length === 10 && ends === 5 * sent.length && status.lag.every((l) => l.lag === 0);
    }, 60_000, 'every job to commit up to the end of the topic');

    const swords = sent.filter((r) => r.kind === 'sword');
    const byColor = new Map<string | null, { q: number; n: number }>();
    for (const s of swords) {
      const e = byColor.get(s.color) ?? { q: 0, n: 0 };
      byColor.set(s.color, { q: e.q + (s.quantity ?? 0), n: e.n + 1 });
    }
    const swordRows = await queryJson(dir, 'jobs', `SELECT color, sum(quantity) AS q, count(*) AS n FROM ${t.sword_purchases} GROUP BY color ORDER BY color NULLS LAST`);
    expect(swordRows).toEqual(
      [...byColor.entries()]
        .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
        .map(([color, e]) => ({ color, q: color === null ? null : e.q, n: e.n })),
    );

    const horses = sent.filter((r): r is Extract<Sent, { kind: 'horse' }> => r.kind === 'horse');
    const bySize = new Map<string, { q: number; n: number }>();
    for (const h of horses) {
      const e = bySize.get(h.size) ?? { q: 0, n: 0 };
      bySize.set(h.size, { q: e.q + h.quantity, n: e.n + 1 });
    }
    const horseRows = await queryJson(dir, 'jobs', `SELECT size, sum(quantity) AS q, count(*) AS n FROM ${t.horse_purchases} GROUP BY size ORDER BY size`);
    expect(horseRows).toEqual([...bySize.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([size, e]) => ({ size, ...e })));

    const guild = sent.filter((r): r is Extract<Sent, { kind: 'guild' }> => r.kind === 'guild');
    const guildRows = await queryJson(dir, 'jobs', `SELECT event_type, count(*) AS n, count(DISTINCT event_id) AS ids FROM ${t.guild_actions} GROUP BY event_type ORDER BY event_type`);
    expect(guildRows).toEqual(
      ['join_guild', 'leave_guild'].map((type) => {
        const n = guild.filter((g) => g.eventType === type).length;
        return { event_type: type, n, ids: n };
      }),
    );

    const books = sent.filter((r): r is Extract<Sent, { kind: 'spellbook' }> => r.kind === 'spellbook');
    expect(await queryJson(dir, 'jobs', `SELECT school, level FROM ${t.spellbook_purchases}`)).toEqual(books.map((b) => ({ school: b.school, level: b.level })));
    expect(await queryJson(dir, 'jobs', `SELECT count(*) AS n FROM ${t.default_hits}`)).toEqual([{ n: sent.filter((r) => r.kind === 'default').length }]);

    // status: running, no lag, and the rows the tables hold.
    const status = await gamepipe(dir, ['status', '--jobs', 'jobs', '--json', '--metrics-url', metricsUrl]);
    expect(status.code, status.stderr).toBe(0);
    const health = JSON.parse(status.stdout) as { job: string; state: string; lag: { lag: number }[]; rows: number; rejected: number; files: number; lastBatchAt?: string }[];
    const expectedRows: Record<string, number> = {
      [t.sword_purchases!]: swords.length,
      [t.horse_purchases!]: horses.length,
      [t.guild_actions!]: guild.length,
      [t.spellbook_purchases!]: books.length,
      [t.default_hits!]: 1,
    };
    for (const h of health) {
      expect(h.state, h.job).toBe('running');
      expect(h.lag.map((l) => l.lag), h.job).toEqual([0, 0]);
      expect(h.rows, h.job).toBe(expectedRows[h.job]);
      expect(h.rejected, h.job).toBe(0);
      expect(h.files, h.job).toBeGreaterThan(0);
      expect(h.lastBatchAt, h.job).toBeDefined();
    }
    expect(health.map((h) => h.job).sort()).toEqual(Object.keys(expectedRows).sort());

    const metrics = await fetch(`${metricsUrl}/metrics`).then((r) => r.text());
    for (const [job, rows] of Object.entries(expectedRows)) expect(metrics).toContain(`gamepipe_rows_written_total{job="${job}"} ${rows}`);
    expect(metrics).toContain(`gamepipe_batch_duration_seconds_count{job="${t.horse_purchases}"}`);
    expect(metrics).toMatch(new RegExp(`gamepipe_lag_records\\{job="${t.horse_purchases}",topic="${topic}",partition="0"\\} 0`));

    expect(await runner.stop('SIGTERM')).toBe(0);
    const after = await gamepipe(dir, ['status', '--jobs', 'jobs', '--json', '--metrics-url', metricsUrl]);
    expect((JSON.parse(after.stdout) as { state: string }[]).map((h) => h.state)).toEqual(Array(5).fill('stopped'));
  });
});
