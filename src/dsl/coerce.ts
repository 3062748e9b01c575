import { parseIsoUtcMillis } from './iso-timestamp.js';
import type { OutputValue, ScalarType } from './job-spec.js';

// Every coercion returns the typed value, null when the input is missing or null, and undefined
// when the input is present but cannot be read as the type (a bad record for project(), a false
// comparison for the filter).

/** A coercion from a decoded JSON value to one column type. */
export type Coercion = (v: unknown) => OutputValue | undefined;

const MS_PER_DAY = 86_400_000;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Text of any scalar; objects and arrays cannot be text (declare them json). */
export function coerceString(v: unknown): string | null | undefined {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

// A hand-written digit loop: event values arrive as strings ("2") and this runs per record.
function parseWholeNumber(s: string): number | undefined {
  const n = s.length;
  let i = 0;
  let negative = false;
  if (n > 0 && (s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43)) {
    negative = s.charCodeAt(0) === 45;
    i = 1;
  }
  if (i === n || n - i > 16) return undefined;
  let value = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** A 32-bit integer from an integer number or integer text ("2"); "2.5" and 2^40 are bad. */
export function coerceInt(v: unknown): number | null | undefined {
  let n: number | undefined;
  if (typeof v === 'number') n = Number.isInteger(v) ? v : undefined;
  else if (typeof v === 'string') n = parseWholeNumber(v);
  else if (v === null || v === undefined) return null;
  return n !== undefined && n >= INT_MIN && n <= INT_MAX ? n : undefined;
}

/** A 64-bit integer (bigint) from an integer number or integer text. */
export function coerceLong(v: unknown): bigint | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v !== 'string' || !/^[+-]?\d{1,19}$/.test(v)) return undefined;
  const b = BigInt(v);
  return b >= LONG_MIN && b <= LONG_MAX ? b : undefined;
}

/** A long for the filter, which compares plain numbers (exact up to 2^53). */
export function coerceLongAsNumber(v: unknown): number | null | undefined {
  const b = coerceLong(v);
  return b === null || b === undefined ? b : Number(b);
}

/** A finite number from a number or numeric text. */
export function coerceDouble(v: unknown): number | null | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** true/false from booleans or the text "true"/"false". */
export function coerceBoolean(v: unknown): boolean | null | undefined {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return null;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:$|[T ])/;

/** Epoch milliseconds from epoch-ms numbers, numeric text or ISO-8601 text. */
export function coerceTimestamp(v: unknown): number | null | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v) : undefined;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return undefined;
  // Text in the API's own shape is never numeric, so reading it first changes no result.
  const iso = parseIsoUtcMillis(v);
  if (iso !== undefined) return iso;
  const n = coerceDouble(v);
  if (n !== undefined && n !== null) return Math.floor(n);
  if (!ISO_DATE.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Days since 1970-01-01 from "YYYY-MM-DD", an ISO timestamp or epoch milliseconds. */
export function coerceDate(v: unknown): number | null | undefined {
  if (typeof v === 'string' && !ISO_DATE.test(v)) return undefined;
  const ms = coerceTimestamp(v);
  return ms === null || ms === undefined ? ms : Math.floor(ms / MS_PER_DAY);
}

/** The value as JSON text (strings get their quotes). */
export function coerceJson(v: unknown): string | null {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

/** The coercion project() applies for each scalar column type (coerce-typed.ts: every type). */
export const COERCIONS: Record<ScalarType, Coercion> = {
  string: coerceString,
  int: coerceInt,
  long: coerceLong,
  double: coerceDouble,
  boolean: coerceBoolean,
  timestamp: coerceTimestamp,
  date: coerceDate,
  json: coerceJson,
};

/** The coercion the filter applies: as project(), but longs stay plain numbers. */
export const FILTER_COERCIONS: Record<ScalarType, Coercion> = { ...COERCIONS, long: coerceLongAsNumber };
