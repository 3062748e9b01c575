import { describe, expect, it } from 'vitest';
import { BadRecord, decodeRecord, ReusableRecordMeta } from '../../src/runtime/record-decoder.js';

const decode = (text: string | null) => {
  const meta = new ReusableRecordMeta();
  const decoded = decodeRecord(text === null ? null : Buffer.from(text), meta);
  return { decoded, raw: meta.raw };
};

describe('decodeRecord', () => {
  it('returns the event object itself and keeps the raw text', () => {
    const { decoded, raw } = decode('{"event_type":"purchase_horse","quantity":"2"}');
    expect(decoded).toEqual({ event_type: 'purchase_horse', quantity: '2' });
    expect(decoded).not.toBeInstanceOf(BadRecord);
    expect(raw).toBe('{"event_type":"purchase_horse","quantity":"2"}');
  });

  it('gives a BadRecord with the reason for anything but a JSON object', () => {
    const reason = (text: string | null) => {
      const { decoded } = decode(text);
      expect(decoded).toBeInstanceOf(BadRecord);
      return (decoded as BadRecord).reason;
    };
    expect(reason(null)).toBe('record has no value (null)');
    expect(reason('{oops')).toMatch(/^not JSON: /);
    expect(reason('null')).toBe('not a JSON object but null');
    expect(reason('[1]')).toBe('not a JSON object but an array');
    expect(reason('"text"')).toBe('not a JSON object but a string');
    expect(reason('3')).toBe('not a JSON object but a number');
  });

  it('tells an event that looks like a bad record from one', () => {
    const { decoded } = decode('{"reason":"x","bad":"y"}');
    expect(decoded).not.toBeInstanceOf(BadRecord);
    expect(decoded).toEqual({ reason: 'x', bad: 'y' });
  });

  it('decodes the raw text as UTF-8 and keeps it for a bad record too', () => {
    expect(decode('{"name":"épée"}').decoded).toEqual({ name: 'épée' });
    expect(decode('not json').raw).toBe('not json');
  });
});
