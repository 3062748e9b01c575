import type { RecordMeta } from '../../dsl/job-spec.js';

/** RecordMeta filled in place for each record, so the hot loop allocates no metadata object. */
export class ReusableRecordMeta implements RecordMeta {
  topic = '';
  partition = 0;
  /** The record's offset; offsets stay below 2^53, and the decimal text is made only when read. */
  offsetNumber = 0;
  timestamp = 0;
  raw = '';
  /** The record value `raw` was decoded from (null with it), to copy into a raw_event column as it is. */
  rawBytes: Buffer | null = null;
  /** Where the record's key is read from: few jobs read `$key`, so most records never slice it. */
  keyOf: (() => Buffer | null) | undefined;

  get offset(): string {
    return String(this.offsetNumber);
  }

  set offset(text: string) {
    this.offsetNumber = Number(text);
  }

  /** The record key as text, decoded only when a job asks for `$key`. */
  get key(): string | null {
    const bytes = this.keyOf?.() ?? null;
    return bytes === null ? null : bytes.toString('utf8');
  }
}

export type Decoded = { event: Record<string, unknown> } | { bad: string };

/** Decodes a record value into a JSON object event, or says why it is a bad record; sets `meta.raw`. */
export function decodeRecord(value: Buffer | null, meta: ReusableRecordMeta): Decoded {
  meta.rawBytes = value;
  if (value === null) {
    meta.raw = '';
    return { bad: 'record has no value (null)' };
  }
  const text = value.toString('utf8');
  meta.raw = text;
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (err) {
    return { bad: `not JSON: ${(err as Error).message}` };
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    return { bad: `not a JSON object but ${event === null ? 'null' : Array.isArray(event) ? 'an array' : `a ${typeof event}`}` };
  }
  return { event: event as Record<string, unknown> };
}

/** The bad-record reason for a value over a job's size bound. */
export function oversizeReason(bytes: number, maxRecordBytes: number): string {
  return `record of ${bytes} bytes is over max_record_bytes (${maxRecordBytes}); raw_event holds its first ${maxRecordBytes} bytes`;
}
