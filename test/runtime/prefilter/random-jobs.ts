// Generated jobs and records for the prefilter's soundness property: `where`s over typed, untyped,
// json and $key-backed fields, and records that write the values those filters look for in every
// way JSON allows (escapes, numbers for numeric text, nesting), plus records that are no object.
import { checkJobText } from '../../../src/dsl/check-job.js';
import { compileJob } from '../../../src/dsl/compile-job.js';
import type { CompiledJob } from '../../../src/dsl/job-spec.js';
import { mutate, type Bytes } from './json-text.js';
import { chance, int, pick, type Rand } from '../../support/random.js';

/** Values the filters compare with and the records hold: coercion look-alikes, unicode, ones that need escapes. */
export const VOCAB = ['purchase_horse', 'small', 'gold', '5', 'true', 'Infinity', '-0', '1e21', '1e+21', 'x', '', 'é', '😀', 'a"b', 'a\\b', '\ufffd', 'null'];
const FIELDS = ['event_type', 'size', 'quantity', 'payload', 'level', 'key', 'color', 'other', 'player.rank', '$key'];
const SCHEMA = '  event_type: string\n  size: string\n  quantity: int\n  payload: json\n  level: { from: player.level, type: string }\n  key: { from: $key, type: string }\n';

const lit = (rand: Rand) => (chance(rand, 0.1) ? String(pick(rand, [5, 0, -1])) : JSON.stringify(pick(rand, VOCAB)));

function where(rand: Rand, depth: number): string {
  const r = rand();
  if (depth > 0 && r < 0.3) return `(${where(rand, depth - 1)}) ${pick(rand, ['and', 'or'])} (${where(rand, depth - 1)})`;
  if (depth > 0 && r < 0.35) return `not (${where(rand, depth - 1)})`;
  const f = pick(rand, FIELDS);
  const s = rand();
  if (s < 0.4) return chance(rand, 0.2) ? `${lit(rand)} == ${f}` : `${f} == ${lit(rand)}`;
  if (s < 0.65) return `${f} ${chance(rand, 0.15) ? 'not in' : 'in'} (${Array.from({ length: 1 + int(rand, 3) }, () => lit(rand)).join(', ')})`;
  if (s < 0.72) return `${f} != ${lit(rand)}`;
  if (s < 0.8) return `${f} is ${chance(rand, 0.5) ? 'not ' : ''}null`;
  if (s < 0.86) return `lower(${f}) == ${lit(rand)}`;
  if (s < 0.92) return `quantity >= ${int(rand, 6)}`;
  return `${f} matches "^[a-z]+$"`;
}

/** `count` jobs with generated `where`s that check; some with a small max_record_bytes. */
export function randomJobs(rand: Rand, count: number): CompiledJob[] {
  const jobs: CompiledJob[] = [];
  while (jobs.length < count) {
    const bound = chance(rand, 0.2) ? `  max_record_bytes: ${40 + int(rand, 60)}\n` : '';
    const text = `job: j${jobs.length}\nsource:\n  topic: events\n${bound}where: ${JSON.stringify(where(rand, 2))}\nschema:\n${SCHEMA}sink:\n  path: data/j${jobs.length}\n`;
    const { spec } = checkJobText(`j${jobs.length}.job.yaml`, text);
    if (spec) jobs.push(compileJob(spec));
  }
  return jobs;
}

function utf8(out: Bytes, text: string): void {
  for (const b of Buffer.from(text, 'utf8')) out.push(b);
}

/** A string token for `text`, sometimes with one character written as an escape, U+FFFD sometimes as an ill-formed byte. */
function stringToken(rand: Rand, out: Bytes, text: string): void {
  if (text === '\ufffd' && chance(rand, 0.5)) {
    out.push(0x22, pick(rand, [0xff, 0x80, 0xc3]), 0x22);
    return;
  }
  let body = JSON.stringify(text);
  if (text.length > 0 && chance(rand, 0.1)) {
    const at = int(rand, text.length);
    const escaped = `\\u${text.charCodeAt(at).toString(16).padStart(4, '0')}`;
    body = JSON.stringify(text.slice(0, at)).slice(0, -1) + escaped + JSON.stringify(text.slice(at + 1)).slice(1);
  }
  utf8(out, body);
}

function scalar(rand: Rand, out: Bytes): void {
  const r = rand();
  if (r < 0.65) stringToken(rand, out, pick(rand, VOCAB));
  else if (r < 0.85) utf8(out, pick(rand, ['5', '5.0', '5e0', '50e-1', '1e999', '-1e999', '-0', '1e21', '0', '3']));
  else utf8(out, pick(rand, ['true', 'false', 'null']));
}

function value(rand: Rand, out: Bytes, depth: number): void {
  const r = rand();
  if (depth > 0 && r < 0.12) {
    utf8(out, '{"level":');
    value(rand, out, depth - 1);
    utf8(out, ',"rank":');
    value(rand, out, depth - 1);
    out.push(0x7d);
  } else if (depth > 0 && r < 0.18) {
    out.push(0x5b);
    value(rand, out, depth - 1);
    out.push(0x2c);
    value(rand, out, depth - 1);
    out.push(0x5d);
  } else {
    scalar(rand, out);
  }
}

/** A record value: mostly a JSON object of the fields the filters read, sometimes anything but. */
export function randomRecord(rand: Rand): Buffer {
  const out: Bytes = [];
  out.push(0x7b);
  const keys = ['event_type', 'size', 'quantity', 'payload', 'player', 'player.level', 'color', 'other', 'player.rank', 'Host'];
  let first = true;
  for (const key of keys) {
    if (!chance(rand, 0.5)) continue;
    if (!first) out.push(0x2c);
    first = false;
    if (chance(rand, 0.3)) out.push(0x20);
    stringToken(rand, out, key);
    out.push(0x3a);
    value(rand, out, 2);
  }
  out.push(0x7d);
  const r = rand();
  if (r < 0.08) return Buffer.from(mutate(rand, out));
  if (r < 0.1) return Buffer.from([0x5b, ...out, 0x5d]);
  if (r < 0.11) return Buffer.from([0xef, 0xbb, 0xbf, ...out]);
  if (r < 0.12) return Buffer.from(pick(rand, ['null', '"purchase_horse"', '5', '[]', '']));
  return Buffer.from(out);
}
