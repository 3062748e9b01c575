// Evaluations per second of the example predicate, compiled the way the runtime compiles it:
//   npm run bench:predicate
// Prints the median of 5 runs for a mixed event stream and for one where every event is a horse
// purchase (every clause evaluated). One core: it is a single synchronous loop.
import { readFileSync } from 'node:fs';
import { checkJobText } from '../src/dsl/check-job.js';
import { compileJob } from '../src/dsl/compile-job.js';
import type { RecordMeta } from '../src/dsl/job-spec.js';

const file = new URL('../jobs/horse_purchases.job.yaml', import.meta.url);
const { spec, diagnostics } = checkJobText('jobs/horse_purchases.job.yaml', readFileSync(file, 'utf8'));
if (!spec) throw new Error(`horse_purchases does not check: ${diagnostics.map((d) => d.message).join('; ')}`);
const job = compileJob(spec);

const headers = { Host: 'user1.comcast.com', 'User-Agent': 'ApacheBench/2.3', Accept: '*/*' };
const SIZES = ['small', 'medium', 'large', 'huge'];
const OTHERS: Record<string, unknown>[] = [
  { event_type: 'default' },
  { event_type: 'purchase_sword', color: 'red', quantity: '2' },
  { event_type: 'purchase_shield' },
  { event_type: 'purchase_knife', description: 'very sharp knife' },
  { event_type: 'upgrade_sword' },
  { event_type: 'join_guild', username: 'ana', guildname: 'knights' },
  { event_type: 'purchase_spellbook', item: 'spellbook', school: 'fire', level: '3' },
];

/** An event as the game API writes it: string values, headers, an id and a timestamp. */
function event(i: number, fields: Record<string, unknown>): Record<string, unknown> {
  return { ...fields, event_id: `6f1c${i.toString(16).padStart(8, '0')}`, event_ts: new Date(1_795_000_000_000 + i).toISOString(), ...headers };
}
const horse = (i: number) => event(i, { event_type: 'purchase_horse', speed: String(1 + (i % 5)), size: SIZES[i % 4], quantity: String(i % 7) });

const N = 4096;
const mixed = Array.from({ length: N }, (_, i) => (i % 8 === 0 ? horse(i) : event(i, OTHERS[i % OTHERS.length])));
const horses = Array.from({ length: N }, (_, i) => horse(i));
const meta: RecordMeta = { topic: 'events', partition: 0, offset: '0', timestamp: Date.now(), key: null, raw: '' };

function run(events: Record<string, unknown>[], evaluations: number): { perSecond: number; kept: number } {
  let kept = 0;
  const start = process.hrtime.bigint();
  for (let n = 0; n < evaluations; n++) if (job.filter(events[n & (N - 1)], meta)) kept++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { perSecond: evaluations / seconds, kept };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const EVALUATIONS = 20_000_000;
console.log(`predicate: ${spec.where}`);
for (const [name, events] of [['mixed event stream (1 in 8 a horse purchase)', mixed], ['every event a horse purchase', horses]] as const) {
  run(events, 2_000_000); // warm-up: let V8 optimise the generated function
  const runs = Array.from({ length: 5 }, () => run(events, EVALUATIONS));
  const kept = runs[0].kept / EVALUATIONS;
  console.log(`${name}: ${(median(runs.map((r) => r.perSecond)) / 1e6).toFixed(1)} million evaluations/s (median of 5 runs of ${EVALUATIONS / 1e6}M; ${(kept * 100).toFixed(1)}% kept)`);
}
