// The gamepipe contender: the three example jobs from jobs/, copied into a scratch folder with
// their topic pointed at the benchmark topic, run by `node bin/gamepipe-run.js [--once]` there.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { BenchTable } from '../workload/tables.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GAMEPIPE_RUN = join(ROOT, 'bin/gamepipe-run.js');
const JOBS_DIR = join(ROOT, 'jobs');

/** Words in a job file name that say which benchmark table it produces. */
const TABLE_WORDS: Record<BenchTable['name'], string> = {
  sword_purchases: 'sword',
  horse_purchases: 'horse',
  guild_actions: 'guild',
};

/** Why the gamepipe contender cannot run here, or undefined when it can. */
export function gamepipeUnavailable(): string | undefined {
  const help = spawnSync(process.execPath, [GAMEPIPE_RUN, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (help.status !== 0) return `not available (runtime not built yet: gamepipe-run --help exited ${help.status}: ${(help.stderr || '').trim().split('\n')[0]})`;
  try {
    exampleJobFiles();
  } catch (err) {
    return `not available (${(err as Error).message})`;
  }
  return undefined;
}

/** The example job file for each benchmark table, found by name in jobs/. */
export function exampleJobFiles(): Record<BenchTable['name'], string> {
  let names: string[] = [];
  try {
    names = readdirSync(JOBS_DIR).filter((n) => n.endsWith('.job.yaml') || n.endsWith('.yaml') || n.endsWith('.yml'));
  } catch {
    // handled below
  }
  const out = {} as Record<BenchTable['name'], string>;
  for (const [table, word] of Object.entries(TABLE_WORDS) as [BenchTable['name'], string][]) {
    const file = names.find((n) => n.includes(word));
    if (!file) throw new Error(`no job file for ${table} in jobs/ (looked for a name containing '${word}')`);
    out[table] = join(JOBS_DIR, file);
  }
  return out;
}

/** One prepared job: its rewritten file, its table folder and how event fields map to its columns. */
export interface PreparedJob {
  file: string;
  tableDir: string;
  columnOf: (field: string) => string;
}

/** Maps event fields to output column names from a job's `schema` (a list or a map of columns). */
function columnMapping(schema: unknown): (field: string) => string {
  const byField = new Map<string, string>();
  const add = (name: unknown, from: unknown) => {
    if (typeof name === 'string') byField.set(typeof from === 'string' ? from : name, name);
  };
  if (Array.isArray(schema)) {
    for (const c of schema as { name?: unknown; from?: unknown }[]) add(c?.name, c?.from);
  } else if (schema && typeof schema === 'object') {
    for (const [name, spec] of Object.entries(schema as Record<string, unknown>)) {
      add(name, spec && typeof spec === 'object' ? (spec as { from?: unknown }).from : undefined);
    }
  }
  return (field) => byField.get(field) ?? field;
}

/**
 * Copies one job file into `workDir`, reading `topic` from its earliest offset, under a job name
 * (and so a consumer group) of this run's own: a benchmark must never join the groups of a
 * gamepipe already running on the same broker. Returns the copy's path and YAML document.
 */
export function retargetJobFile(src: string, workDir: string, topic: string, runId: string) {
  const doc = parseDocument(readFileSync(src, 'utf8'));
  if (!isMap(doc.get('source'))) throw new Error(`${src}: no 'source:' map to point at the benchmark topic`);
  doc.set('job', `${doc.get('job')}_${runId}`);
  doc.setIn(['source', 'topic'], topic);
  doc.setIn(['source', 'start'], 'earliest');
  const file = join(workDir, src.slice(src.lastIndexOf('/') + 1));
  writeFileSync(file, doc.toString());
  return { file, doc };
}

/** A change to a copied job file's YAML document, made before the run. */
export type JobEdit = (doc: ReturnType<typeof parseDocument>) => void;

/**
 * The partitioned variant of a job: one computed column more (`host_lower`) and Hive partitions
 * by event type and the event's own hour, as issue 21 asks the benchmark to measure.
 */
export const partitionedJob: JobEdit = (doc) => {
  doc.setIn(['schema', 'host_lower'], doc.createNode({ expr: 'lower(host)', type: 'string' }, { flow: true }));
  doc.setIn(['sink', 'partition_by'], doc.createNode(['event_type', 'hour(event_ts)'], { flow: true }));
};

/**
 * Copies the example jobs into `workDir` pointed at `topic` (retargetJobFile), changed by `edit`
 * if given, so `gamepipe-run` started in `workDir` writes its tables there.
 */
export function prepareGamepipeJobs(workDir: string, topic: string, edit?: JobEdit): Record<BenchTable['name'], PreparedJob> {
  const out = {} as Record<BenchTable['name'], PreparedJob>;
  const runId = `bench${Date.now()}`;
  for (const [table, src] of Object.entries(exampleJobFiles()) as [BenchTable['name'], string][]) {
    const { file, doc } = retargetJobFile(src, workDir, topic, runId);
    if (edit) {
      edit(doc);
      writeFileSync(file, doc.toString());
    }
    const sinkPath = doc.getIn(['sink', 'path']);
    if (typeof sinkPath !== 'string') throw new Error(`${src}: no 'sink.path' to read the table from`);
    const schemaNode = doc.get('schema');
    const schema = isSeq(schemaNode) || isMap(schemaNode) ? schemaNode.toJSON() : undefined;
    out[table] = { file, tableDir: resolve(workDir, sinkPath), columnOf: columnMapping(schema) };
  }
  return out;
}
