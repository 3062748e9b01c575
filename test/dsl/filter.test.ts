import { describe, expect, it } from 'vitest';
import type { RecordMeta } from '../../src/dsl/job-spec.js';
import { compiled, jobText } from './job-text.js';

const SCHEMA = '  event_type: string\n  quantity: int\n  size: string\n  speed: double\n  big: long\n  ok: boolean\n  at: timestamp\n  day: date\n  host: { from: Host, type: string }\n  level: { from: player.level, type: int }\n';
const meta: RecordMeta = { topic: 'events', partition: 3, offset: '42', timestamp: Date.UTC(2026, 0, 2), key: 'k1', raw: '{}' };

/** The filter of `where` over a job with SCHEMA, as a function of an event. */
function filter(where: string): (event: Record<string, unknown>) => boolean {
  const job = compiled(jobText(`where: ${JSON.stringify(where)}\n`, SCHEMA));
  return (event) => job.filter(event, meta);
}

const cases: [string, Record<string, unknown>, boolean][] = [
  // comparisons, typed through the schema: events carry numbers as strings
  ['quantity == 2', { quantity: '2' }, true],
  ['quantity != 2', { quantity: '3' }, true],
  ['quantity != 2', { quantity: '2' }, false],
  ['quantity < 3', { quantity: '2' }, true],
  ['quantity <= 2', { quantity: '2' }, true],
  ['quantity > 2', { quantity: '2' }, false],
  ['quantity >= 2', { quantity: 2 }, true],
  ['2 < quantity', { quantity: '3' }, true],
  ['speed > 2.5', { speed: '3' }, true],
  ['big > 10', { big: '9007199254740993' }, true],
  ['size < "m"', { size: 'large' }, true],
  ['ok == true', { ok: 'true' }, true],
  ['ok', { ok: true }, true],
  ['ok', { ok: 'false' }, false],
  ['at >= "2026-11-22T00:00:00Z"', { at: '2026-11-22T15:00:00.123Z' }, true],
  ['at < "2026-11-22"', { at: '2026-11-22T15:00:00.123Z' }, false],
  ['day == "2026-11-22"', { day: '2026-11-22T15:00:00Z' }, true],
  // logic and parentheses
  ['size == "a" and quantity == 1', { size: 'a', quantity: '1' }, true],
  ['size == "a" and quantity == 1', { size: 'a', quantity: '2' }, false],
  ['size == "a" or quantity == 1', { size: 'b', quantity: '1' }, true],
  ['not size == "a"', { size: 'b' }, true],
  ['not (size == "a" or size == "b")', { size: 'b' }, false],
  ['size == "a" or size == "b" and quantity == 1', { size: 'a', quantity: '2' }, true],
  ['(size == "a" or size == "b") and quantity == 1', { size: 'a', quantity: '2' }, false],
  // in / not in, short lists and long ones (a Set)
  ['size in ("small", "large")', { size: 'large' }, true],
  ['size not in ("small", "large")', { size: 'medium' }, true],
  ['size not in ("small", "large")', { size: 'small' }, false],
  ['quantity in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)', { quantity: '9' }, true],
  ['quantity not in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)', { quantity: '11' }, true],
  // is null
  ['size is null', {}, true],
  ['size is null', { size: null }, true],
  ['size is not null', { size: 'a' }, true],
  ['quantity is null', { quantity: 'abc' }, false],
  ['other is null', {}, true],
  ['other is not null', { other: 0 }, true],
  // matches
  ['size matches "^l.*e$"', { size: 'large' }, true],
  ['size not matches "^l"', { size: 'small' }, true],
  ['host matches "\\\\.comcast\\\\.com$"', { Host: 'user1.comcast.com' }, true],
  ['host matches "\\.comcast\\.com$"', { Host: 'user1.comcast.com' }, true],
  ['host matches "\\.comcast\\.com$"', { Host: 'user1xcomcast.com' }, false],
  ['size == "a\\tb\\u0041\\"\\\\"', { size: 'a\tbA"\\' }, true],
  // arithmetic
  ['quantity + 1 == 3', { quantity: '2' }, true],
  ['quantity - 1 == 1', { quantity: '2' }, true],
  ['quantity * speed == 5', { quantity: '2', speed: '2.5' }, true],
  ['quantity / 2 == 1.5', { quantity: '3' }, true],
  ['quantity % 2 == 1', { quantity: '3' }, true],
  ['-quantity < 0', { quantity: '3' }, true],
  ['quantity / 0 == 0', { quantity: '3' }, false],
  ['quantity + 1 > 0', {}, false],
  // functions and casts
  ['lower(size) == "large"', { size: 'LARGE' }, true],
  ['upper(size) == "LARGE"', { size: 'large' }, true],
  ['trim(size) == "large"', { size: '  large ' }, true],
  ['length(size) == 5', { size: 'large' }, true],
  ['length(tags) == 2', { tags: ['a', 'b'] }, true],
  ['starts_with(size, "la")', { size: 'large' }, true],
  ['ends_with(size, "ge")', { size: 'large' }, true],
  ['contains(size, "arg")', { size: 'large' }, true],
  ['contains(tags, "b")', { tags: ['a', 'b'] }, true],
  ['coalesce(size, "none") == "none"', {}, true],
  ['coalesce(size, "none") == "a"', { size: 'a' }, true],
  ['int(speed) == 2', { speed: '2.9' }, true],
  ['double(raw) > 1.5', { raw: '2.5' }, true],
  ['string(quantity) == "2"', { quantity: 2 }, true],
  ['string(raw) == "true"', { raw: true }, true],
  // names: dotted paths, backquoted names, header keys, metadata
  ['level >= 10', { player: { level: '12' } }, true],
  ['player.level == "12"', { player: { level: '12' } }, true],
  ['`User-Agent` == "ab"', { 'User-Agent': 'ab' }, true],
  ['host == "h"', { Host: 'h' }, true],
  ['$topic == "events" and $partition == 3 and $offset == 42 and $key == "k1"', {}, true],
  ['$timestamp >= "2026-01-02"', {}, true],
  // undeclared fields are compared as they come
  ['speed_text == "3"', { speed_text: '3' }, true],
  ['speed_text == 3', { speed_text: '3' }, false],
  ['speed_text > 2', { speed_text: '3' }, false],
  ['a == b', { a: 1, b: 1 }, true],
  ['a < b', { a: 'x', b: 'y' }, true],
  ['a < b', { a: 1, b: 'y' }, false],
];

describe('filter semantics', () => {
  it.each(cases)('%s on %j is %s', (where, event, expected) => {
    expect(filter(where)(event)).toBe(expected);
  });

  it('null or missing values make every comparison false (SQL-like)', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) {
      const f = filter(`quantity ${op} 1`);
      expect(f({}), `missing, ${op}`).toBe(false);
      expect(f({ quantity: null }), `null, ${op}`).toBe(false);
      expect(filter(`other ${op} 1`)({}), `untyped missing, ${op}`).toBe(false);
    }
    expect(filter('size in ("a")')({})).toBe(false);
    expect(filter('size not in ("a")')({})).toBe(false);
    expect(filter('size not matches "a"')({})).toBe(false);
    expect(filter('a != b')({ a: 1 })).toBe(false);
  });

  it('a value that fails coercion makes comparisons false, yet is not null', () => {
    for (const where of ['quantity >= 0', 'quantity < 0', 'quantity != 1', 'quantity == 1']) {
      expect(filter(where)({ quantity: 'abc' }), where).toBe(false);
    }
    expect(filter('quantity is not null')({ quantity: '2.5' })).toBe(true);
  });

  it('never throws, whatever the event', () => {
    const f = filter('lower(size) == "a" and level > 1 and contains(tags, "x")');
    for (const event of [{ size: { a: 1 } }, { player: 'not an object' }, { tags: 5 }, null as unknown as Record<string, unknown>]) {
      expect(f(event)).toBe(false);
    }
  });

  it('keeps every event when there is no where', () => {
    expect(compiled(jobText()).filter({}, meta)).toBe(true);
  });

  it('treats literals as data, never as code', () => {
    const f = filter('size == "\\"); throw 1; (\\"" or size == "x\\u2028y"');
    expect(f({ size: '"); throw 1; ("' })).toBe(true);
    expect(f({ size: 'x\u2028y' })).toBe(true);
    expect(f({ size: 'z' })).toBe(false);
  });
});
