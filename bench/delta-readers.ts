// npm run bench:delta-readers [-- --events N]
// Writes a Delta table with `gamepipe-run --once` (the horse purchases example job, format: delta,
// on a local disk) from N seed-like events, then reads it with three independent readers: PySpark
// with delta-spark, delta-rs (the Python `deltalake` package) and `gamepipe query` (DuckDB over the
// log's live files), and prints their row counts, which must agree. The job gets a decimal, a
// struct, a list and a map column besides the example's (horse purchases carry them as nested
// JSON here), and the readers' column types and exact sums over them must agree too.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deltaTypeText, type DeltaType } from '../src/table/delta/schema.js';
import { GAMEPIPE_RUN, retargetJobFile } from './compare/gamepipe.js';
import { prepareSpark, sparkEnv } from './compare/spark.js';
import { eventStream, type GameEvent } from './workload/events.js';
import { produceEvents } from './workload/producer.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const GAMEPIPE = join(ROOT, 'bin/gamepipe.js');
const IVY = join(ROOT, 'bench/.venv/ivy2');
// Delta 3.2 is the line built for Spark 3.5 (the pinned PySpark), Scala 2.12.
const DELTA_SPARK = 'io.delta:delta-spark_2.12:3.2.1';
const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const events = Number(values.events);

const spark = prepareSpark((line) => console.log(line));
if (!spark.ok) throw new Error(spark.reason);

const topic = `bench-delta-${Date.now()}`;
/** A seed event, and for a horse purchase its order as nested JSON: a price as decimal text, a struct, a list and a map. */
function* withNestedFields(n: number): Generator<GameEvent> {
  let i = 0;
  for (const event of eventStream(n)) {
    i++;
    if (event.event_type !== 'purchase_horse') {
      yield event;
      continue;
    }
    const quantity = Number(event.quantity);
    const price = `${(i % 500) + 1}.${String(i % 100).padStart(2, '0')}`;
    const nested = { price, purchase: { size: event.size, quantity: Number.isFinite(quantity) ? quantity : null, price }, tags: [event.size, event.Host], counts: { [event.size ?? 'none']: i % 7 } };
    yield { ...event, ...nested } as unknown as GameEvent;
  }
}
await produceEvents(topic, events, { partitions: 2, log: () => {}, events: withNestedFields(events) });
const dir = mkdtempSync(join(tmpdir(), 'gamepipe-bench-delta-'));
const { file, doc } = retargetJobFile(join(ROOT, 'jobs/horse_purchases.job.yaml'), dir, topic, `bench${Date.now()}`);
const table = join(dir, 'data/horse_purchases');
doc.setIn(['sink', 'format'], 'delta');
doc.setIn(['sink', 'path'], table);
const NESTED_COLUMNS = {
  price: 'decimal(10,2)',
  purchase: { type: { struct: { size: 'string', quantity: 'int', price: 'decimal(10,2)' } } },
  tags: { type: { list: 'string' } },
  counts: { type: { map: 'long' } },
};
for (const [name, type] of Object.entries(NESTED_COLUMNS)) doc.setIn(['schema', name], doc.createNode(type));
writeFileSync(file, doc.toString());
execFileSync(process.execPath, [GAMEPIPE_RUN, '--once', '.'], { cwd: dir, stdio: 'inherit', env: { ...process.env, GAMEPIPE_LOG_LEVEL: 'warn' } });

const job = String(doc.get('job'));
/** What each reader says of the nested and decimal columns: their types, and exact sums over their values. */
interface NestedRead {
  types: Record<string, string>;
  price_sum: string;
  purchase_price_sum: string;
  tags_total: number;
  counts_total: number;
}
const querySql = `SELECT count(*) AS n, sum(price)::VARCHAR AS price_sum, sum(purchase.price)::VARCHAR AS purchase_price_sum,
  sum(len(tags)) AS tags_total, sum(list_sum(map_values(counts))) AS counts_total,
  any_value(typeof(price)) AS price_type, any_value(typeof(purchase)) AS purchase_type, any_value(typeof(tags)) AS tags_type,
  any_value(typeof(counts)) AS counts_type FROM ${job}`;
const [q] = JSON.parse(execFileSync(process.execPath, [GAMEPIPE, 'query', '--jobs', '.', '--json', querySql], { cwd: dir, encoding: 'utf8' })) as Record<string, string | number>[];
const query = [{ n: Number(q!.n) }];
const queryNested: NestedRead = {
  types: { price: String(q!.price_type), purchase: String(q!.purchase_type), tags: String(q!.tags_type), counts: String(q!.counts_type) },
  price_sum: String(q!.price_sum), purchase_price_sum: String(q!.purchase_price_sum), tags_total: Number(q!.tags_total), counts_total: Number(q!.counts_total),
};
const DELTA_RS = `import json, os, sys
import pyarrow.compute as pc
from deltalake import DeltaTable
t = DeltaTable(sys.argv[1])
d = t.to_pyarrow_table(columns=['event_id', 'price', 'purchase', 'tags', 'counts'])
schema = json.loads(t.schema().to_json())
print(json.dumps({'rows': d.num_rows, 'version': t.version(), 'nested': {
  'types': {f['name']: f['type'] for f in schema['fields'] if f['name'] in ('price', 'purchase', 'tags', 'counts')},
  'price_sum': str(pc.sum(d['price']).as_py()),
  'purchase_price_sum': str(pc.sum(pc.struct_field(d['purchase'], 'price')).as_py()),
  'tags_total': pc.sum(pc.list_value_length(d['tags'])).as_py() or 0,
  'counts_total': sum(pc.sum(chunk.items).as_py() or 0 for chunk in d['counts'].chunks),
}}))
sys.stdout.flush()
os._exit(0)`;
const deltaRs = JSON.parse(execFileSync(process.env.GAMEPIPE_PYTHON ?? 'python3', ['-c', DELTA_RS, table], { encoding: 'utf8' })) as { rows: number; version: number; nested: NestedRead & { types: Record<string, DeltaType> } };
// delta-rs gives the schema's types as the Delta log writes them; shown as one line each.
deltaRs.nested.types = Object.fromEntries(Object.entries(deltaRs.nested.types).map(([k, v]) => [k, deltaTypeText(v)]));
const read = spawnSync(spark.python, [join(ROOT, 'bench/spark/read_delta.py'), '--table', table, '--package', DELTA_SPARK, '--ivy', IVY], { encoding: 'utf8', env: sparkEnv(spark.python), timeout: 900_000 });
if (read.status !== 0) throw new Error(`PySpark could not read the table: ${read.stderr.trim().split('\n').slice(-5).join(' | ')}`);
const sparkRead = JSON.parse(read.stdout.trim().split('\n').at(-1)!) as { rows: number; version: number; nested: NestedRead };

console.log(`\n| reader | rows | version |\n| --- | --- | --- |`);
console.log(`| PySpark ${spark.version} + ${DELTA_SPARK} | ${sparkRead.rows} | ${sparkRead.version} |`);
console.log(`| delta-rs (deltalake) | ${deltaRs.rows} | ${deltaRs.version} |`);
console.log(`| gamepipe query (DuckDB) | ${query[0]!.n} | |`);
console.log(`\n| reader | price | purchase | tags | counts | sum(price) | sum(purchase.price) | tags | sum of counts |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const [reader, n] of [['PySpark', sparkRead.nested], ['delta-rs', deltaRs.nested], ['gamepipe query', queryNested]] as const) {
  console.log(`| ${reader} | ${n.types.price} | ${n.types.purchase} | ${n.types.tags} | ${n.types.counts} | ${n.price_sum} | ${n.purchase_price_sum} | ${n.tags_total} | ${n.counts_total} |`);
}
const sums = (n: NestedRead) => `${n.price_sum} ${n.purchase_price_sum} ${n.tags_total} ${n.counts_total}`;
const agree =
  sparkRead.rows === deltaRs.rows && deltaRs.rows === query[0]!.n && sparkRead.version === deltaRs.version &&
  sums(sparkRead.nested) === sums(deltaRs.nested) && sums(deltaRs.nested) === sums(queryNested);
console.log(agree ? '\nall readers agree' : '\nREADERS DISAGREE');
rmSync(dir, { recursive: true, force: true });
process.exit(agree ? 0 : 1);
