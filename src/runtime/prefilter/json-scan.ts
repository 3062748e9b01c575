import type { ValueTable } from './value-table.js';

/**
 * What `JSON.parse(bytes.toString('utf8'))` would give, told from the bytes without decoding them:
 * an object (not null, not an array), another value, or a throw ('invalid'). 'too-deep' means the
 * check gave up past MAX_DEPTH nested objects and arrays, and says nothing either way.
 */
export type JsonShape = 'object' | 'other' | 'invalid' | 'too-deep';

/** A shape, or 'may-hold': a string value of the text may be one of the values looked for. */
export type JsonScan = JsonShape | 'may-hold';

/** Nesting the check follows; records nested deeper go the ordinary way (JSON.parse itself). */
export const MAX_DEPTH = 256;

const OPEN_OBJECT = 1;
const OPEN_ARRAY = 2;
// One frame per open container, reused by every call: the scan is synchronous, so no two calls
// share it at once, and allocating nothing per record is the point.
const frames = new Uint8Array(MAX_DEPTH);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
// scanString's answer for an escape when the caller looks for values: the decoded value is unknown.
const ESCAPED = -2;

// Only these four are whitespace to JSON.parse; U+FEFF (a UTF-8 BOM) and U+00A0 are not.
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(b: Uint8Array, i: number, n: number): number {
  while (i < n && isSpace(b[i]!)) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * The index after the string whose opening quote is at `i`, -1 when it is not valid, or ESCAPED
 * at its first backslash when `stopAtEscape`. Bytes of 0x80 and above pass: the UTF-8 decode
 * makes them characters of U+0080 and above (U+FFFD when ill-formed, which never takes an ASCII
 * byte with it), and JSON.parse refuses only characters below U+0020 in a string.
 */
function scanString(b: Uint8Array, i: number, n: number, stopAtEscape: boolean): number {
  i++;
  // Most bytes of a record are plain characters of its strings; reading them four a turn, with
  // one test each, measured about a fifth faster over seed-like records than one a turn.
  while (i + 3 < n) {
    if (special(b[i]!)) break;
    if (special(b[i + 1]!)) {
      i += 1;
      break;
    }
    if (special(b[i + 2]!)) {
      i += 2;
      break;
    }
    if (special(b[i + 3]!)) {
      i += 3;
      break;
    }
    i += 4;
  }
  while (i < n) {
    const c = b[i]!;
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    if (stopAtEscape) return ESCAPED;
    if (i + 1 >= n) return -1;
    const e = b[i + 1]!;
    if (e === 0x75) {
      if (i + 5 >= n || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!)) return -1;
      i += 6;
    } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
      i += 2;
    } else {
      return -1;
    }
  }
  return -1;
}

// A byte the string loop must look at: a quote, a backslash or a control character (and, to keep
// the test to one comparison mostly, space and '!', which are plain).
function special(c: number): boolean {
  return c <= QUOTE || c === BACKSLASH;
}

function scanDigits(b: Uint8Array, i: number, n: number): number {
  while (i < n && isDigit(b[i]!)) i++;
  return i;
}

/** The index after the number starting at `i` (RFC 8259: no leading zeros, no bare `.`), or -1. */
function scanNumber(b: Uint8Array, i: number, n: number): number {
  if (b[i] === MINUS) i++;
  if (i >= n) return -1;
  if (b[i] === ZERO) i++;
  else if (isDigit(b[i]!)) i = scanDigits(b, i + 1, n);
  else return -1;
  if (i < n && b[i] === DOT) {
    const start = i + 1;
    i = scanDigits(b, start, n);
    if (i === start) return -1;
  }
  if (i < n && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) i++;
    const start = i;
    i = scanDigits(b, start, n);
    if (i === start) return -1;
  }
  return i;
}

/** The index after the word `true`, `false` or `null` whose first letter is at `i`, or -1. */
function scanWord(b: Uint8Array, i: number, n: number): number {
  const c = b[i];
  if (c === 0x74) return i + 3 < n && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65 ? i + 4 : -1;
  if (c === 0x6e) return i + 3 < n && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c ? i + 4 : -1;
  return i + 4 < n && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65 ? i + 5 : -1;
}

/** The index after `"key" :` and the space behind it, starting at `i`; -1 or ESCAPED as scanString. */
function scanKey(b: Uint8Array, i: number, n: number, stopAtEscape: boolean): number {
  if (i >= n || b[i] !== QUOTE) return -1;
  i = scanString(b, i, n, stopAtEscape);
  if (i < 0) return i;
  i = skipSpace(b, i, n);
  if (i >= n || b[i] !== COLON) return -1;
  return skipSpace(b, i + 1, n);
}

/**
 * Reads the JSON text in `b` (RFC 8259, as JSON.parse reads it after a UTF-8 decode) and says
 * what it is. With `values`, it stops early with 'may-hold' at the first string value (not key)
 * that is one of them (`values.lastFoundAt` then says where it starts; -1 otherwise), or at the
 * first backslash, since an escape can spell any value in other bytes; otherwise its answer is the
 * text's shape. Never throws.
 */
export function scanJson(b: Uint8Array, values?: ValueTable): JsonScan {
  const n = b.length;
  const look = values !== undefined;
  // Found by this scan or not at all: one stopped by a backslash says 'may-hold' having found none.
  if (look) values.lastFoundAt = -1;
  let i = skipSpace(b, 0, n);
  if (i >= n) return 'invalid';
  const first = b[i];
  let depth = 0;
  for (;;) {
    // At the first byte of a value (spaces already skipped).
    if (i >= n) return 'invalid';
    const c = b[i]!;
    if (c === 0x7b || c === 0x5b) {
      i = skipSpace(b, i + 1, n);
      if (i < n && b[i] === c + 2) {
        i++; // {} or []: '}' and ']' are '{' and '[' plus two
      } else {
        if (depth === MAX_DEPTH) return 'too-deep';
        frames[depth++] = c === 0x7b ? OPEN_OBJECT : OPEN_ARRAY;
        if (c === 0x7b && (i = scanKey(b, i, n, look)) < 0) return i === ESCAPED ? 'may-hold' : 'invalid';
        continue;
      }
    } else if (c === QUOTE) {
      const start = i;
      i = scanString(b, i, n, look);
      if (i === ESCAPED || (look && i > 0 && values.has(b, start + 1, i - 1))) return 'may-hold';
    } else if (c === MINUS || isDigit(c)) {
      i = scanNumber(b, i, n);
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      i = scanWord(b, i, n);
    } else {
      return 'invalid';
    }
    // After a value: close containers, or go on to the next member or element.
    for (;;) {
      if (i < 0) return 'invalid';
      i = skipSpace(b, i, n);
      if (depth === 0) return i < n ? 'invalid' : first === 0x7b ? 'object' : 'other';
      if (i >= n) return 'invalid';
      const d = b[i]!;
      const open = frames[depth - 1];
      if (d === COMMA) {
        i = skipSpace(b, i + 1, n);
        if (open === OPEN_OBJECT && (i = scanKey(b, i, n, look)) < 0) return i === ESCAPED ? 'may-hold' : 'invalid';
        break;
      }
      if ((d === 0x7d && open === OPEN_OBJECT) || (d === 0x5d && open === OPEN_ARRAY)) {
        depth--;
        i++;
        continue;
      }
      return 'invalid';
    }
  }
}

/** The shape of the JSON text in `b`: scanJson looking for no values. Never throws. */
export function jsonShape(b: Uint8Array): JsonShape {
  return scanJson(b) as JsonShape;
}
