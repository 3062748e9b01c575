import { describe, expect, it } from 'vitest';
import { jsonShape, MAX_DEPTH } from '../../../src/runtime/prefilter/json-scan.js';
import { mutate, validText } from './json-text.js';
import { int, parsedShape, prng } from '../../support/random.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const shapeOf = (b: Uint8Array) => jsonShape(b);

/** Asserts the check and JSON.parse agree on `b`, naming the input when they do not. */
function agrees(b: Uint8Array, label: string): void {
  const expected = parsedShape(b);
  const got = shapeOf(b);
  if (got !== expected) expect.fail(`${label}: jsonShape says ${got}, JSON.parse ${expected}, for bytes ${Buffer.from(b).toString('hex')}`);
}

describe('jsonShape against JSON.parse', () => {
  it('agrees on hand-picked texts', () => {
    const texts = [
      '{}', '[]', ' {} ', '\t\n\r{}\r\n\t', '{"a":1}', '{ "a" : [ 1 , { "b" : null } ] , "c" : "x" }', '[{}]', '"s"', 'true', 'false', 'null',
      '0', '-0', '1e5', '1E+5', '1e-5', '-1.5e3', '0.5', '1e999', '01', '-01', '1.', '.5', '-', '+1', '1e', '1e+', '0x1', 'NaN', 'Infinity', '1.5.2',
      '', ' ', '{', '}', '{"a"}', '{"a":}', '{"a" 1}', '{"a":1,}', '{,}', '[1,]', '[,1]', '[1 2]', '{"a":1 "b":2}', '{a:1}', "{'a':1}",
      'tru', 'truee', 'nul', 'True', '{"a":tru}', '{} {}', '{}x', '{}\u00a0', '\u00a0{}', '\ufeff{}', '{}\ufeff', '{"\ufeff":"\ufeff"}',
      '"\\u00e9"', '"\\u00zz"', '"\\x41"', '"\\', '"\\"', '"a\\"', '"\\uD800"', '"\t"', '"\u001f"', '"\u007f"', '"\u2028"', '{"a":"😀"}',
      '{"__proto__":{}}', '{"a":1,"a":2}', '[[[[]]]]', '[[[]]', '[]]', '{"a":{"b":{"c":[]}}}', '{"a":{"b":{"c":[]}}',
    ];
    for (const t of texts) agrees(bytes(t), JSON.stringify(t));
  });

  it('agrees on raw bytes JSON.parse only sees through the UTF-8 decode', () => {
    const cases: number[][] = [
      [0xef, 0xbb, 0xbf, 0x7b, 0x7d], // a BOM: JSON.parse refuses U+FEFF before the value
      [0x7b, 0x7d, 0xc2, 0xa0], // U+00A0 after the value is not whitespace
      [0x7b, 0x7d, 0xff], // an ill-formed byte after the value
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d], // an ill-formed byte inside a string is U+FFFD there
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x22, 0x7d], // a cut-short sequence does not take the closing quote
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0x80, 0x22, 0x7d], // an overlong NUL is not a control character
      [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x00, 0x22, 0x7d], // a raw NUL is
      [0x7b, 0x00, 0x7d],
    ];
    for (const c of cases) agrees(Uint8Array.from(c), `bytes ${Buffer.from(c).toString('hex')}`);
  });

  it('agrees on generated valid texts', () => {
    const rand = prng(101);
    let objects = 0;
    for (let n = 0; n < 20_000; n++) {
      const b = Uint8Array.from(validText(rand));
      agrees(b, `valid text #${n} (seed 101)`);
      if (shapeOf(b) === 'object') objects++;
    }
    expect(objects).toBeGreaterThan(10_000);
  });

  it('agrees on mutated texts, and finds most of them invalid', () => {
    const rand = prng(202);
    let invalid = 0;
    const total = 60_000;
    for (let n = 0; n < total; n++) {
      const b = Uint8Array.from(mutate(rand, validText(rand)));
      agrees(b, `mutated text #${n} (seed 202)`);
      if (shapeOf(b) === 'invalid') invalid++;
    }
    expect(invalid).toBeGreaterThan(total / 3);
  });

  it('agrees on random bytes', () => {
    const rand = prng(303);
    const alphabet = Buffer.from('{}[],:" \t\n\r0123456789-.eEtruefalsn\\', 'latin1');
    for (let n = 0; n < 20_000; n++) {
      const b = Uint8Array.from({ length: 1 + int(rand, 12) }, () => (rand() < 0.9 ? alphabet[int(rand, alphabet.length)]! : int(rand, 256)));
      agrees(b, `random bytes #${n} (seed 303)`);
    }
  });

  it('follows nesting up to MAX_DEPTH and gives up beyond it', () => {
    const nested = (open: string, close: string, d: number, inner = '') => bytes(open.repeat(d) + inner + close.repeat(d));
    expect(shapeOf(nested('[', ']', MAX_DEPTH, '1'))).toBe('other');
    expect(shapeOf(nested('{"a":', '}', MAX_DEPTH, '1'))).toBe('object');
    expect(shapeOf(nested('{"a":', '}', MAX_DEPTH - 1, '[]'))).toBe('object');
    expect(shapeOf(nested('[', ']', MAX_DEPTH + 1, '1'))).toBe('too-deep');
    expect(shapeOf(nested('{"a":', '}', MAX_DEPTH + 1, '1'))).toBe('too-deep');
    expect(shapeOf(nested('[', ']', 100_000))).toBe('too-deep');
    // Invalid before the limit is reached is still invalid; unbalanced deep text is never an object.
    expect(shapeOf(bytes('[' + '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH)))).toBe('invalid');
    expect(shapeOf(bytes('{"a":' + '['.repeat(10 * MAX_DEPTH)))).toBe('too-deep');
  });

  it('reads only its own bytes of a Buffer sliced from a larger one, as kafkajs hands values', () => {
    const whole = bytes('xx{"a":1}yy{"b"');
    expect(shapeOf(whole.subarray(2, 9))).toBe('object');
    expect(shapeOf(whole.subarray(11))).toBe('invalid');
    expect(shapeOf(whole.subarray(2, 8))).toBe('invalid');
  });
});
