// The one description of the job file: the checker (check-structure.ts) walks it and the JSON
// Schema (json-schema.ts) is generated from it, so the two cannot drift apart.

import { SCALAR_TYPES } from './column-types.js';

/** A node of the job-file description: what a key holds, its default and its documentation. */
export type KeyShape =
  | { kind: 'string'; doc: string; pattern?: string; patternHint?: string; minLength?: number; default?: string; format?: 'duration' | 'filter' | 'partition' }
  | { kind: 'enum'; doc: string; values: readonly string[]; default?: string }
  | { kind: 'integer'; doc: string; minimum: number; default?: number }
  | { kind: 'bytes'; doc: string; default: number; defaultText: string }
  | {
      kind: 'object'; doc: string; keys: Record<string, KeyEntry>; otherKeys?: KeyShape; otherKeysPattern?: string; minKeys?: number;
      /** Two keys that must not be given together. */
      exclusive?: readonly [string, string];
      /** Keys of which exactly one must be given. */
      exactlyOne?: readonly string[];
    }
  | { kind: 'list'; doc: string; items: KeyShape; default?: readonly unknown[]; unique?: boolean }
  | { kind: 'any-object'; doc: string }
  | { kind: 'one-of'; doc: string; options: readonly KeyShape[] }
  /** A column type: a scalar name or `decimal(p,s)`, and where `nested`, a struct, list or map mapping. */
  | { kind: 'column-type'; doc: string; nested: boolean };

/** A key of an object: its shape and whether it must be present. */
export type KeyEntry = KeyShape & { required?: boolean };

/** Scalar column types a schema may declare by name, in the order the docs list them. */
export const COLUMN_TYPES = SCALAR_TYPES;

/** Kafka record metadata names a `from` or a filter may read. */
export const META_FIELDS = ['$timestamp', '$topic', '$partition', '$offset', '$key'] as const;

const MiB = 1024 * 1024;

/** Default sink roll size and record size limit, in bytes. */
// Each open batch (per job and partition, twice while the previous one commits) holds up to this
// much input, so it bounds the runner's memory (docs/decisions/batch-bounds.md).
export const DEFAULT_MAX_BYTES = 8 * MiB;
export const DEFAULT_MAX_RECORD_BYTES = 1 * MiB;

const columnType: KeyShape = { kind: 'column-type', nested: false, doc: 'The output column type: string, int, long, double, boolean, timestamp, date, json or decimal(p,s).' };

/** Output column names: plain identifiers, so they read the same in the filter, Parquet and SQL. */
export const COLUMN_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** A `sink.partition_by` entry as the JSON Schema checks it: a column name (or dt) or hour/day/month(column). */
export const PARTITION_ENTRY_PATTERN = '^\\s*((hour|day|month)\\s*\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)|[A-Za-z_][A-Za-z0-9_]*)\\s*$';

/** The whole job file. */
export const JOB_FILE: KeyShape = {
  kind: 'object',
  doc: 'A gamepipe job: which Kafka events to keep and the Parquet table they become.',
  keys: {
    job: {
      kind: 'string', required: true, pattern: COLUMN_NAME_PATTERN, patternHint: 'letters, digits and _ , not starting with a digit',
      doc: 'Unique job name; also the output table name and the consumer group suffix.',
    },
    source: {
      kind: 'object', required: true, doc: 'Where the events come from: one of topic, topics or topic_pattern.',
      exactlyOne: ['topic', 'topics', 'topic_pattern'],
      keys: {
        topic: { kind: 'string', minLength: 1, doc: 'Kafka topic to consume.' },
        topics: {
          kind: 'list', unique: true, doc: 'Several Kafka topics read by one job; `$topic` tells their rows apart.',
          items: { kind: 'string', minLength: 1, doc: 'A Kafka topic.' },
        },
        topic_pattern: {
          kind: 'string', minLength: 1,
          doc: 'A regular expression (JavaScript syntax) matched against whole topic names: the job reads every topic of the cluster it matches (internal `__` topics aside), found at start and looked for again every 30 seconds.',
        },
        start: { kind: 'enum', values: ['earliest', 'latest'], default: 'earliest', doc: 'Where to start when no checkpoint exists.' },
        max_record_bytes: { kind: 'bytes', default: DEFAULT_MAX_RECORD_BYTES, defaultText: `${DEFAULT_MAX_RECORD_BYTES / MiB} MiB`, doc: 'Records larger than this are bad records (a number of bytes or "1 MiB", "512 KiB").' },
      },
    },
    where: { kind: 'string', format: 'filter', doc: 'Filter expression; only events for which it is true are kept (see docs/filter-language.md).' },
    schema: {
      kind: 'object', required: true, minKeys: 1, keys: {},
      otherKeysPattern: COLUMN_NAME_PATTERN,
      doc: 'Output columns, in order: `name: type`, `name: { from: field, type: type }` or `name: { expr: "expression", type: type }`.',
      otherKeys: {
        kind: 'one-of', doc: 'An output column.',
        options: [
          columnType,
          {
            kind: 'object', doc: 'A column read from another field or from Kafka metadata, or computed by an expression.',
            exclusive: ['from', 'expr'],
            keys: {
              from: { kind: 'string', minLength: 1, doc: 'Event field (`size`, `player.level`, `User-Agent`) or metadata ($timestamp $topic $partition $offset $key); defaults to the column name.' },
              expr: { kind: 'string', format: 'filter', minLength: 1, doc: 'A filter-language expression whose value, coerced to `type`, is the column (`hour(event_ts)`); not with `from`.' },
              type: {
                kind: 'column-type', nested: true, required: true,
                doc: 'The output column type: a scalar (string, int, long, double, boolean, timestamp, date, json, decimal(p,s)) or, read with from:, { struct: { field: type, ... } }, { list: type } or { map: type } (string keys).',
              },
            },
          },
        ],
      },
    },
    include: {
      kind: 'list', default: [], unique: true, doc: 'Extra columns after the schema ones.',
      items: { kind: 'enum', values: ['raw_event'], doc: 'raw_event: the original record text.' },
    },
    sink: {
      kind: 'object', required: true, doc: 'Where the Parquet files go.',
      keys: {
        path: { kind: 'string', required: true, minLength: 1, doc: 'Output folder, relative to the working directory, or s3://bucket/prefix (format: delta).' },
        format: { kind: 'enum', values: ['parquet', 'delta'], default: 'parquet', doc: 'Table format: parquet (a Hive-style folder of Parquet files, local disk only) or delta (Delta Lake, on a local disk or s3://bucket/prefix).' },
        partition_by: {
          kind: 'list', default: [], unique: true, doc: 'Hive-style partition folders (Delta partition columns), nested in this order.',
          items: {
            kind: 'string', format: 'partition', minLength: 1,
            doc: 'A schema column (string, int, long, boolean, date): `event_type=...` folders; hour(ts), day(ts) or month(ts) of a timestamp column: `ts_hour=YYYY-MM-DD-HH`, `ts_day=YYYY-MM-DD`, `ts_month=YYYY-MM`; dt: `dt=YYYY-MM-DD` from the Kafka record time.',
          },
        },
        max_rows: { kind: 'integer', minimum: 1, default: 200000, doc: 'Roll a file early after this many rows.' },
        max_bytes: { kind: 'bytes', default: DEFAULT_MAX_BYTES, defaultText: `${DEFAULT_MAX_BYTES / MiB} MiB`, doc: 'Roll a file early after this much raw input (a number of bytes or "64 MiB", "512 KiB").' },
      },
    },
    trigger: { kind: 'string', format: 'duration', default: '10 seconds', doc: 'How often a batch is written: "10 seconds", "10s", "500ms", "1 minute".' },
    on_bad_record: { kind: 'enum', values: ['dead_letter', 'skip', 'fail'], default: 'dead_letter', doc: 'What to do with a record that cannot be decoded or coerced.' },
    tests: {
      kind: 'list', default: [], doc: 'Examples run by `gamepipe test`.',
      items: {
        kind: 'object', doc: 'One test: an event and the row it must give, or `dropped`.',
        keys: {
          name: { kind: 'string', required: true, minLength: 1, doc: 'Test name.' },
          event: { kind: 'any-object', required: true, doc: 'The decoded event (JSON object).' },
          expect: {
            kind: 'one-of', required: true, doc: 'Expected output columns (a subset), or `dropped`.',
            options: [
              { kind: 'enum', values: ['dropped'], doc: 'The filter must reject the event.' },
              { kind: 'any-object', doc: 'Expected column values.' },
            ],
          },
        },
      },
    },
  },
};
