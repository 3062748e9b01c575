import { parseSinkLocation, SinkPathError } from '../table/location.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { checkPartitionBy, declaredColumns } from './check-partition-by.js';
import { checkShape, type ShapeProblem } from './check-structure.js';
import { checkComputed, checkWhere } from './check-where.js';
import { didYouMean } from './did-you-mean.js';
import { isMetaField, META_TYPES } from './field-read.js';
import type { ColumnSpec, ColumnType, Diagnostic, IncludeColumn, JobSpec, JobTest, PartitionField } from './job-spec.js';
import { exprTypeProblem, readColumnType } from './column-type-node.js';
import { JOB_FILE, type KeyEntry, type KeyShape } from './key-table.js';
import { Reporter } from './reporter.js';
import { topicPatternProblem } from './topic-pattern.js';
import { rememberPositions } from './spec-positions.js';
import { parseByteSize, parseDuration } from './units.js';

type Json = Record<string, unknown>;

/**
 * Parses and checks one job file's text. Pure: `file` is only used in messages. Returns every
 * problem found, and the spec (all defaults applied) only when there is no error.
 */
export function checkJobText(file: string, text: string): { spec?: JobSpec; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const report = new Reporter(file, lines);
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true, prettyErrors: false });
  // An error "at the end of the file" reads better under the last thing written.
  const lastText = text.trimEnd().length;
  for (const e of doc.errors) report.error(Math.min(e.pos[0], Math.max(0, lastText - 1)), `YAML: ${firstLine(e.message)}`);
  for (const w of doc.warnings) report.warning(w.pos[0], `YAML: ${firstLine(w.message)}`);
  if (report.hasErrors()) return { diagnostics: report.diagnostics };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    report.error(0, 'the file is empty; a job file needs at least job, source, schema and sink');
    return { diagnostics: report.diagnostics };
  }

  const problems: ShapeProblem[] = [];
  checkShape(doc.contents, JOB_FILE, 'the job file', 0, problems);
  for (const p of problems) report.error(p.offset, p.message);

  const schema = checkSchema(doc, report);
  checkTrigger(doc, report);
  checkSource(doc, report);
  checkSink(doc, report);
  const partitionBy = checkPartitionBy(doc, schema, declaredColumns(doc), report);
  const where = doc.get('where', true) as Node | undefined;
  if (isScalar(where) && typeof where.value === 'string') checkWhere(where as Scalar<string>, where.value, schema, report);
  const include = (doc.get('include') && isSeq(doc.get('include')) ? (doc.toJS() as Json).include : []) as unknown[];
  if (include.includes('raw_event') && schema.some((c) => c.name === 'raw_event')) {
    report.error(offsetOf(doc.get('include', true) as Node), "include: [raw_event] adds a column 'raw_event', and the schema already has one");
  }
  checkTestExpectations(doc, [...schema.map((c) => c.name), ...include.map(String)], report);

  report.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  if (report.hasErrors()) return { diagnostics: report.diagnostics };
  const spec = buildSpec(file, doc.toJS() as Json, schema, partitionBy);
  rememberPositions(spec, { job: positionOf(doc, ['job'], lines), sinkPath: positionOf(doc, ['sink', 'path'], lines) });
  return { spec, diagnostics: report.diagnostics };
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function offsetOf(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

function positionOf(doc: Document, path: string[], lines: LineCounter): { line: number; column: number } {
  const { line, col } = lines.linePos(offsetOf(doc.getIn(path, true) as Node));
  return { line, column: col };
}

/** The type a node declares; undefined when it has problems, which the shape check reports. */
function typeOf(node: Node | null | undefined, nested: boolean): ColumnType | undefined {
  return readColumnType(node, '', 0, nested, []);
}

/** The schema's columns, in order; the entries with problems are reported and left out. */
function checkSchema(doc: Document, report: Reporter): ColumnSpec[] {
  const node = doc.get('schema', true);
  if (!isMap(node)) return [];
  const columns: ColumnSpec[] = [];
  const computed: { at: number; node: Scalar<string> }[] = [];
  for (const pair of node.items as Pair<Node, Node>[]) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
    const name = pair.key.value;
    const value = pair.value;
    if (isScalar(value) && typeof value.value === 'string') {
      const type = typeOf(value, false);
      if (type) columns.push({ name, from: name, type });
      continue;
    }
    if (!isMap(value)) continue;
    const exprNode = value.get('expr', true) as Node | undefined;
    const typeNode = value.get('type', true) as Node | undefined;
    const type = typeOf(typeNode, true);
    if (exprNode !== undefined) {
      if (value.has('from') || !isScalar(exprNode) || typeof exprNode.value !== 'string' || exprNode.value.trim() === '' || !type) continue;
      const nested = exprTypeProblem(type, `schema.${name}.type`);
      if (nested) {
        report.error(offsetOf(typeNode), nested);
        continue;
      }
      computed.push({ at: columns.length, node: exprNode as Scalar<string> });
      columns.push({ name, from: name, type, expr: { text: exprNode.value, tree: { kind: 'literal', value: null, start: 0, end: 0 } } });
      continue;
    }
    const fromNode = value.get('from', true) as Node | undefined;
    const from = fromNode === undefined ? name : isScalar(fromNode) ? fromNode.value : undefined;
    if (typeof from !== 'string' || !type) continue;
    if (from.trim() === '') {
      if (from !== '') report.error(offsetOf(fromNode), `schema.${name}.from must not be empty`);
      continue;
    }
    if (from.startsWith('$') && !isMetaField(from)) {
      report.error(offsetOf(fromNode), `unknown metadata name '${from}' in schema.${name}.from${didYouMean(from, Object.keys(META_TYPES))}; known: ${Object.keys(META_TYPES).join(' ')}`);
      continue;
    }
    columns.push({ name, from, type });
  }
  // In order: an expression may read the fields of any column, and computed columns declared before it.
  const failed = new Set<string>();
  const unchecked = new Set(computed.map(({ at }) => columns[at].name));
  for (const { at, node: exprNode } of computed) {
    const column = columns[at];
    const tree = checkComputed(exprNode, column, columns.filter((c) => !failed.has(c.name)), unchecked, report);
    unchecked.delete(column.name);
    if (tree) column.expr = { text: exprNode.value, tree };
    else failed.add(column.name);
  }
  return columns.filter((c) => !failed.has(c.name));
}

function checkTrigger(doc: Document, report: Reporter): void {
  const node = doc.get('trigger', true) as Node | undefined;
  if (!isScalar(node) || typeof node.value !== 'string') return;
  if (parseDuration(node.value) === undefined) {
    report.error(offsetOf(node), `trigger: bad duration '${node.value}' (write it like "10 seconds", "10s", "500ms" or "1 minute")`);
  }
}

/** `source.topics` lists a topic at least; `source.topic_pattern` compiles (see topic-pattern.ts). */
function checkSource(doc: Document, report: Reporter): void {
  const topics = doc.getIn(['source', 'topics'], true) as Node | undefined;
  if (isSeq(topics) && topics.items.length === 0) report.error(offsetOf(topics), 'source.topics must list at least one topic');
  const pattern = doc.getIn(['source', 'topic_pattern'], true) as Node | undefined;
  if (!isScalar(pattern) || typeof pattern.value !== 'string' || pattern.value === '') return;
  const problem = topicPatternProblem(pattern.value);
  if (problem) report.error(offsetOf(pattern), `source.topic_pattern is not a valid regular expression: ${problem}`);
}

/** An `s3://` path must name a bucket and a prefix, and only Delta tables keep exactly-once there. */
function checkSink(doc: Document, report: Reporter): void {
  const node = doc.getIn(['sink', 'path'], true) as Node | undefined;
  if (!isScalar(node) || typeof node.value !== 'string') return;
  let location;
  try {
    location = parseSinkLocation(node.value);
  } catch (err) {
    if (err instanceof SinkPathError) return report.error(offsetOf(node), `sink.path ${err.message}`);
    throw err;
  }
  const format = doc.getIn(['sink', 'format']) ?? 'parquet';
  if (location.kind === 's3' && format === 'parquet') {
    report.error(
      offsetOf(node),
      'sink.path on s3:// needs `format: delta`: S3 has no atomic rename, so a folder of Parquet files there could show readers a batch half-written; a Delta table commits it in one log entry',
    );
  }
}

function checkTestExpectations(doc: Document, columns: string[], report: Reporter): void {
  const tests = doc.get('tests', true);
  if (!isSeq(tests)) return;
  tests.items.forEach((test, i) => {
    const expect = isMap(test) ? test.get('expect', true) : undefined;
    if (!isMap(expect)) return;
    for (const pair of expect.items as Pair<Node, Node>[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && !columns.includes(key)) {
        report.error(offsetOf(pair.key), `tests[${i}].expect names '${key}', which is not an output column${didYouMean(key, columns)}`);
      }
    }
  });
}

/** The default the key table gives for a key path such as ['sink', 'max_rows']. */
function defaultOf(path: string[]): unknown {
  let shape: KeyShape = JOB_FILE;
  for (const key of path) shape = (shape as Extract<KeyShape, { kind: 'object' }>).keys[key] as KeyEntry;
  return 'default' in shape ? shape.default : undefined;
}

function pick<T>(obj: Json | undefined, path: string[]): T {
  const v = obj?.[path[path.length - 1]];
  return (v === undefined || v === null ? defaultOf(path) : v) as T;
}

function buildSpec(file: string, root: Json, schema: ColumnSpec[], partitionBy: PartitionField[]): JobSpec {
  const source = root.source as Json;
  const sink = root.sink as Json;
  const tests = (pick<Json[]>(root, ['tests'])).map((t): JobTest => ({
    name: String(t.name),
    event: t.event as Json,
    expect: t.expect === 'dropped' ? 'dropped' : (t.expect as Json),
  }));
  return {
    job: String(root.job),
    file,
    source: {
      topic: typeof source.topic === 'string' ? source.topic : Array.isArray(source.topics) ? String(source.topics[0]) : '',
      ...(Array.isArray(source.topics) && { topics: source.topics.map(String) }),
      ...(typeof source.topic_pattern === 'string' && { topicPattern: source.topic_pattern }),
      start: pick(source, ['source', 'start']),
    },
    where: typeof root.where === 'string' ? root.where : undefined,
    schema,
    include: pick<IncludeColumn[]>(root, ['include']),
    sink: {
      path: String(sink.path),
      format: pick(sink, ['sink', 'format']),
      partitionBy,
      maxRows: pick(sink, ['sink', 'max_rows']),
      maxBytes: parseByteSize(pick(sink, ['sink', 'max_bytes']))!,
    },
    triggerMs: parseDuration(pick(root, ['trigger']))!,
    onBadRecord: pick(root, ['on_bad_record']),
    maxRecordBytes: parseByteSize(pick(source, ['source', 'max_record_bytes']))!,
    tests,
  };
}
