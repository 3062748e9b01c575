import { describe, expect, it } from 'vitest';
import { decodeRecord, ReusableRecordMeta } from '../../../src/runtime/processing/record-decoder.js';

const decode = (text: string | null) => {
  const meta = new ReusableRecordMeta();
  const decoded = decodeRecord(text === null ? null : Buffer.from(text), meta);
  return { decoded, raw: meta.raw };
};

describe('decodeRecord', () => {
  it('gives the event object and keeps the raw text', () => {
    const { decoded, raw } = decode('{"event_type":"purchase_horse","quantity":"2"}');
    expect(decoded).toEqual({ event: { event_type: 'purchase_horse', quantity: '2' } });
    expect(raw).toBe('{"event_type":"purchase_horse","quantity":"2"}');
  });

  it('says why anything but a JSON object is a bad record', () => {
    const reason = (text: string | null) => {
      const { decoded } = decode(text);
      expect(decoded).toHaveProperty('bad');
      return (decoded as { bad: string }).bad;
    };
    expect(reason(null)).toBe('record has no value (null)');
    expect(reason('{oops')).toMatch(/^not JSON: /);
    expect(reason('null')).toBe('not a JSON object but null');
    expect(reason('[1]')).toBe('not a JSON object but an array');
    expect(reason('"text"')).toBe('not a JSON object but a string');
    expect(reason('3')).toBe('not a JSON object but a number');
  });

  it('keeps an event whose keys look like a bad record inside its wrapper', () => {
    expect(decode('{"bad":"y"}').decoded).toEqual({ event: { bad: 'y' } });
  });

  it('decodes the raw text as UTF-8 and keeps it for a bad record too', () => {
    expect(decode('{"name":"épée"}').decoded).toEqual({ event: { name: 'épée' } });
    expect(decode('not json').raw).toBe('not json');
  });
});
