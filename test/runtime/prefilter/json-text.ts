// Generated JSON texts as bytes, written in the many ways one value can be written (escapes,
// number spellings, whitespace, raw UTF-8 and ill-formed bytes), and mutations of them.
import { chance, int, pick, type Rand } from '../../support/random.js';

const SPACE = [0x20, 0x09, 0x0a, 0x0d];
const CHARS = ['a', 'Z', '0', ' ', '/', '{', '}', '[', ']', ',', ':', 'é', '€', '😀', '\u2028', '\ufeff', '\ufffd', '\u00a0', '\u007f'];
const ESCAPES = ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0041', '\\u00e9', '\\uD83D\\uDE00', '\\uDEAD', '\\u0000', '\\uFFFF'];
// Ill-formed UTF-8 inside a string: a lone lead, a lone continuation, an overlong NUL, a UTF-8 surrogate, a lead before an ASCII byte.
const BAD_UTF8 = [[0xc3], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f], [0xff], [0xe2, 0x28]];
const NUMBERS = ['0', '-0', '1', '-1', '12', '5.0', '5e0', '50e-1', '1e5', '1E+5', '1e-5', '0.5', '-0.0', '1e999', '-1e999', '1e21', '123456789012345678901234567890', '0e0'];

export type Bytes = number[];

function utf8(out: Bytes, text: string): void {
  for (const b of Buffer.from(text, 'utf8')) out.push(b);
}

function space(rand: Rand, out: Bytes): void {
  while (chance(rand, 0.15)) out.push(pick(rand, SPACE));
}

/** A JSON string token with random characters, escapes and (inside it only) raw high bytes. */
export function writeString(rand: Rand, out: Bytes, text?: string): void {
  out.push(0x22);
  if (text !== undefined) utf8(out, text);
  else {
    for (let n = int(rand, 6); n > 0; n--) {
      const r = rand();
      if (r < 0.6) utf8(out, pick(rand, CHARS));
      else if (r < 0.85) utf8(out, pick(rand, ESCAPES));
      else out.push(...pick(rand, BAD_UTF8));
    }
  }
  out.push(0x22);
}

/** A random valid JSON value, nested at most `depth` more levels. */
export function writeValue(rand: Rand, out: Bytes, depth: number): void {
  const r = rand();
  if (depth > 0 && r < 0.25) {
    out.push(0x7b);
    space(rand, out);
    for (let n = int(rand, 4), i = 0; i < n; i++) {
      if (i > 0) out.push(0x2c), space(rand, out);
      writeString(rand, out);
      space(rand, out);
      out.push(0x3a);
      space(rand, out);
      writeValue(rand, out, depth - 1);
      space(rand, out);
    }
    out.push(0x7d);
  } else if (depth > 0 && r < 0.4) {
    out.push(0x5b);
    space(rand, out);
    for (let n = int(rand, 4), i = 0; i < n; i++) {
      if (i > 0) out.push(0x2c), space(rand, out);
      writeValue(rand, out, depth - 1);
      space(rand, out);
    }
    out.push(0x5d);
  } else if (r < 0.6) {
    writeString(rand, out);
  } else if (r < 0.85) {
    utf8(out, pick(rand, NUMBERS));
  } else {
    utf8(out, pick(rand, ['true', 'false', 'null']));
  }
}

/** A valid JSON text: an object most of the time, any value otherwise, with spaces around. */
export function validText(rand: Rand): Bytes {
  const out: Bytes = [];
  space(rand, out);
  if (chance(rand, 0.7)) {
    out.push(0x7b);
    for (let n = int(rand, 4), i = 0; i < n; i++) {
      if (i > 0) out.push(0x2c);
      writeString(rand, out);
      out.push(0x3a);
      writeValue(rand, out, 4);
    }
    out.push(0x7d);
  } else {
    writeValue(rand, out, 4);
  }
  space(rand, out);
  return out;
}

// Bytes a mutation writes: structure, number and word letters, controls, high bytes, a BOM's first byte.
const MUTANTS = [...'{}[],:"\\ \t\n\r0123456789-+.eEtrufalsn/x'].map((c) => c.charCodeAt(0)).concat([0x00, 0x1f, 0x7f, 0x80, 0xa0, 0xc3, 0xef, 0xbb, 0xbf, 0xff, 0x0b, 0x0c]);

/** The text changed in one to three random ways: a byte replaced, dropped or added, cut short, a BOM ahead. */
export function mutate(rand: Rand, text: Bytes): Bytes {
  const out = text.slice();
  for (let n = 1 + int(rand, 3); n > 0; n--) {
    const at = int(rand, out.length + 1);
    const r = rand();
    if (r < 0.35 && at < out.length) out[at] = chance(rand, 0.8) ? pick(rand, MUTANTS) : int(rand, 256);
    else if (r < 0.6 && at < out.length) out.splice(at, 1);
    else if (r < 0.85) out.splice(at, 0, chance(rand, 0.8) ? pick(rand, MUTANTS) : int(rand, 256));
    else if (r < 0.95) out.length = at;
    else out.unshift(0xef, 0xbb, 0xbf);
  }
  return out;
}
