// The contract between the job-file language (src/dsl) and the runtime (src/runtime).
// src/dsl produces these values from YAML; src/runtime only ever consumes them.

import type { Expr } from './filter-ast.js';

/** The scalar column types a job's schema may declare by name. */
export type ScalarType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'timestamp' | 'date' | 'json';

/** An exact decimal: `precision` digits in all (1..38), `scale` of them after the point (0..precision). */
export interface DecimalType {
  kind: 'decimal';
  precision: number;
  scale: number;
}

/** A struct of named fields, each read from the event object's key of that name. */
export interface StructType {
  kind: 'struct';
  fields: { name: string; type: ColumnType }[];
}

/** A list whose elements all have one type. */
export interface ListType {
  kind: 'list';
  element: ColumnType;
}

/** A map from string keys (the event object's keys) to values of one type. */
export interface MapType {
  kind: 'map';
  value: ColumnType;
}

/** Column types a job's schema may declare: plain data, so a spec crosses to processing threads as it is. */
export type ColumnType = ScalarType | DecimalType | StructType | ListType | MapType;

/** Kafka record metadata a schema column or predicate may read with `$name`. */
export type MetaField = '$timestamp' | '$topic' | '$partition' | '$offset' | '$key';

/** One output column: where its value comes from and the type it is coerced to. */
export interface ColumnSpec {
  name: string;
  /** A field path in the event (`size`, `player.level`, `User-Agent`) or a metadata name (`$timestamp`). */
  from: string;
  type: ColumnType;
  /**
   * A computed column (`expr:`): its filter-language text and its checked tree, which the
   * projection compiles; `from` is then unused. The tree, not the text, so a processing thread
   * compiles it without the parser.
   */
  expr?: { text: string; tree: Expr };
}

/** Extra columns a job may ask for besides its schema. */
export type IncludeColumn = 'raw_event';

/** Kafka record metadata handed to predicates and projections alongside the decoded event. */
export interface RecordMeta {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit; kept as the decimal string kafkajs gives. */
  offset: string;
  /** Record timestamp, epoch milliseconds. */
  timestamp: number;
  key: string | null;
  /** The record value as text, for `include: [raw_event]` and dead letters. */
  raw: string;
}

/**
 * One entry of `sink.partition_by`: a partition column of the table and how a row's value of it is
 * computed (docs/filter-language.md, "Partitions").
 */
export interface PartitionField {
  /** The column's name in folders and in the Delta table: `event_type`, `event_ts_day`, `dt`. */
  name: string;
  /** The entry as the job file wrote it: `event_type`, `day(event_ts)`, `dt`. */
  text: string;
  /**
   * `identity`: a schema column's value; `hour`/`day`/`month`: the UTC period of a timestamp
   * column; `dt`: the UTC day of the Kafka record time.
   */
  transform: 'identity' | 'hour' | 'day' | 'month' | 'dt';
  /** The index in the schema of the column it reads (-1 for `dt`). */
  source: number;
  /** The partition column's type: the source column's for identity, date for dt and day, string for hour and month. */
  type: ScalarType;
}

/** A job test case from the `tests:` list of a job file. */
export interface JobTest {
  name: string;
  event: Record<string, unknown>;
  /** Expected output columns (a subset), or 'dropped' when the filter must reject the event. */
  expect: Record<string, unknown> | 'dropped';
}

/** A checked job file. Every field has its default applied. */
export interface JobSpec {
  job: string;
  /** The file it came from, for messages. */
  file: string;
  source: {
    /** The topic of a one-topic job; the first of `topics`; empty for a `topicPattern` job. */
    topic: string;
    /** `source.topics`: every topic the job reads (absent for a one-topic or pattern job; see jobTopics). */
    topics?: string[];
    /** `source.topic_pattern`: the regular expression whole topic names are matched against. */
    topicPattern?: string;
    start: 'earliest' | 'latest';
  };
  /** The filter predicate's source text, or undefined to keep every event. */
  where?: string;
  schema: ColumnSpec[];
  include: IncludeColumn[];
  sink: {
    path: string;
    format: 'parquet' | 'delta';
    /** Partition columns in the order their folders nest (`sink.partition_by`). */
    partitionBy: PartitionField[];
    /** Roll a file early when the open batch passes this many rows ... */
    maxRows: number;
    /** ... or this many bytes of raw input. */
    maxBytes: number;
  };
  triggerMs: number;
  onBadRecord: 'dead_letter' | 'skip' | 'fail';
  /** Records larger than this many bytes are bad records. */
  maxRecordBytes: number;
  tests: JobTest[];
}

/**
 * Output values by column type, as `project` writes them:
 * string/json -> string, int/double -> number, long -> bigint, boolean -> boolean,
 * timestamp -> epoch milliseconds (number), date -> days since 1970-01-01 (number),
 * decimal -> the unscaled bigint (12.30 in decimal(10,2) is 1230n), struct -> its fields' values in
 * field order, list -> its elements, map -> [key, value] pairs in the event's key order;
 * null when missing.
 */
export type OutputValue = string | number | bigint | boolean | null | OutputValue[];

/** A job compiled for the hot path: built once, called per record, no allocation it can avoid. */
export interface CompiledJob {
  spec: JobSpec;
  /** The checked `where` it was compiled from (undefined: every event passes); compiling it again needs no parser. */
  filterTree: Expr | undefined;
  /** The output columns in order: the schema's, then the `include` ones (raw_event is type string). */
  columns: { name: string; type: ColumnType }[];
  /** True when the event passes the `where` predicate. Never throws. */
  filter(event: Record<string, unknown>, meta: RecordMeta): boolean;
  /**
   * Writes the event's output row into `out` (length = columns.length) and returns undefined,
   * or returns the reason the event cannot be coerced (for dead letters). Never throws.
   */
  project(event: Record<string, unknown>, meta: RecordMeta, out: OutputValue[]): string | undefined;
}

/** A problem found in a job file, positioned in that file (1-based line and column). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning';
  message: string;
}
