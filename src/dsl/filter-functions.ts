import { coerceDouble, coerceString, coerceTimestamp } from './coerce.js';

/** What the type checker knows about a filter value. `any` is an undeclared field. */
export type StaticType = 'string' | 'number' | 'boolean' | 'null' | 'any';

/** A filter function: how many arguments it takes, their types, its result and its code. */
export interface FilterFunction {
  min: number;
  max: number;
  /**
   * The type each argument must have ('any' accepts all): one type for every argument, or one
   * per position, the last one repeating for the rest.
   */
  param: StaticType | readonly StaticType[];
  /** The result type; 'arg' means the type of the first typed argument from `resultFrom` on (coalesce, if). */
  result: StaticType | 'arg';
  /** Where 'arg' starts looking (default 0). */
  resultFrom?: number;
  /**
   * Arguments that must be string literals, by position, with a check of the literal that
   * returns what is wrong with it; so a bad unit, format or regex is an error at validate time.
   */
  literal?: Record<number, (value: string) => string | undefined>;
  impl: (...args: unknown[]) => unknown;
}

/** The type the checker wants for argument `i` of `fn`. */
export function paramType(fn: FilterFunction, i: number): StaticType {
  if (typeof fn.param === 'string') return fn.param;
  return fn.param[Math.min(i, fn.param.length - 1)];
}

const text = (f: (s: string) => unknown) => (s: unknown) => (typeof s === 'string' ? f(s) : null);
const both = (f: (a: string, b: string) => boolean) => (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && f(a, b);

function toInt(v: unknown): number | null {
  const n = coerceDouble(v);
  if (n === null || n === undefined) return null;
  const i = Math.trunc(n);
  return i >= -2147483648 && i <= 2147483647 ? i : null;
}

function toText(v: unknown): string | null {
  const s = coerceString(v);
  if (s !== undefined) return s;
  return JSON.stringify(v);
}

/** Epoch ms of a timestamp argument: numbers as they are, text read as the timestamp type reads it. */
function epochMs(v: unknown): number | null {
  const ms = coerceTimestamp(v);
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

const utcPart = (part: (d: Date) => number) => (v: unknown) => {
  const ms = epochMs(v);
  return ms === null ? null : part(new Date(ms));
};

const TRUNC_UNITS = ['hour', 'day', 'month'] as const;
type TruncUnit = (typeof TRUNC_UNITS)[number];

function dateTrunc(unit: unknown, v: unknown): number | null {
  const ms = epochMs(v);
  if (ms === null) return null;
  const d = new Date(ms);
  switch (unit as TruncUnit) {
    case 'hour':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours());
    case 'day':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    default:
      return null;
  }
}

// to_timestamp formats: Java/Spark-style letters, the ones game logs use. Anything else in a
// format is matched literally, so 'yyyy/MM/dd' and "dd.MM.yyyy HH:mm" work as written.
const FORMAT_TOKENS: Record<string, { digits: string; part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'ms' }> = {
  yyyy: { digits: '(\\d{4})', part: 'year' },
  MM: { digits: '(\\d{2})', part: 'month' },
  dd: { digits: '(\\d{2})', part: 'day' },
  HH: { digits: '(\\d{2})', part: 'hour' },
  mm: { digits: '(\\d{2})', part: 'minute' },
  ss: { digits: '(\\d{2})', part: 'second' },
  SSS: { digits: '(\\d{3})', part: 'ms' },
};
const TOKEN_PATTERN = /yyyy|MM|dd|HH|mm|ss|SSS|[A-Za-z]/g;
/** Format names read as the timestamp column type reads text. */
const ISO_FORMATS = new Set(['iso8601', 'ISO8601', 'iso', 'ISO']);
const ISO_TEXT = /^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})/;
const ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

interface CompiledFormat {
  regex: RegExp;
  parts: (typeof FORMAT_TOKENS)[string]['part'][];
}

const formats = new Map<string, CompiledFormat | string>();

/** The format compiled to a regex, or the reason it is not a format. Cached: formats are literals. */
function compileFormat(format: string): CompiledFormat | string {
  let compiled = formats.get(format);
  if (compiled !== undefined) return compiled;
  const parts: CompiledFormat['parts'] = [];
  let source = '';
  let last = 0;
  let problem: string | undefined;
  for (const m of format.matchAll(TOKEN_PATTERN)) {
    source += escapeRegex(format.slice(last, m.index));
    last = m.index + m[0].length;
    const token = FORMAT_TOKENS[m[0]];
    if (!token) {
      problem ??= `unknown format letter '${m[0]}' in '${format}' (known: yyyy MM dd HH mm ss SSS, or 'iso8601')`;
      continue;
    }
    if (parts.includes(token.part)) problem ??= `'${m[0]}' appears twice in '${format}'`;
    parts.push(token.part);
    source += token.digits;
  }
  source += escapeRegex(format.slice(last));
  if (!problem && !parts.includes('year')) problem = `format '${format}' has no year (yyyy)`;
  compiled = problem ?? { regex: new RegExp(`^${source}$`), parts };
  formats.set(format, compiled);
  return compiled;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkFormat(format: string): string | undefined {
  if (ISO_FORMATS.has(format)) return undefined;
  const compiled = compileFormat(format);
  return typeof compiled === 'string' ? compiled : undefined;
}

/** Epoch ms of `s` read with `format` (UTC), or null when it does not match or is no real time. */
function toTimestamp(s: unknown, format: unknown): number | null {
  if (typeof s !== 'string' || typeof format !== 'string') return null;
  if (ISO_FORMATS.has(format)) {
    if (!ISO_TEXT.test(s)) return null;
    // Text without a zone is UTC, as the other formats read it, not the host's local time.
    return epochMs(s.length > 10 && !ZONE.test(s) ? `${s.replace(' ', 'T')}Z` : s);
  }
  const compiled = compileFormat(format);
  if (typeof compiled === 'string') return null;
  const m = compiled.regex.exec(s);
  if (!m) return null;
  const v = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
  compiled.parts.forEach((part, i) => (v[part] = Number(m[i + 1])));
  const ms = Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second, v.ms);
  const d = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March: such text is not a time.
  const real = d.getUTCFullYear() === v.year && d.getUTCMonth() === v.month - 1 && d.getUTCDate() === v.day && v.hour < 24 && v.minute < 60 && v.second < 60;
  return real ? ms : null;
}

const regexes = new Map<string, RegExp>();

function regexOf(pattern: string): RegExp | undefined {
  let re = regexes.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      return undefined;
    }
    regexes.set(pattern, re);
  }
  return re;
}

/** What is wrong with a regular expression's text, or undefined when it compiles. */
export function checkRegex(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

/** SQL's substring: 1-based start, an optional length; positions before the start are cut off. */
function substring(s: unknown, start: unknown, length?: unknown): string | null {
  if (typeof s !== 'string' || typeof start !== 'number' || !Number.isInteger(start)) return null;
  if (length === undefined) return s.slice(Math.max(start - 1, 0));
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) return null;
  const end = start - 1 + length;
  return s.slice(Math.max(start - 1, 0), Math.max(end, 0));
}

/** The i-th (1-based) piece of `s` split at `sep`; null past the last piece. */
function splitPart(s: unknown, sep: unknown, i: unknown): string | null {
  if (typeof s !== 'string' || typeof sep !== 'string' || sep === '' || typeof i !== 'number' || !Number.isInteger(i) || i < 1) return null;
  return s.split(sep)[i - 1] ?? null;
}

function regexpExtract(s: unknown, pattern: unknown, group: unknown = 1): string | null {
  if (typeof s !== 'string' || typeof pattern !== 'string' || typeof group !== 'number' || !Number.isInteger(group) || group < 0) return null;
  const m = regexOf(pattern)?.exec(s);
  return m?.[group] ?? null;
}

function round(x: unknown, digits: unknown = 0): number | null {
  if (typeof x !== 'number' || typeof digits !== 'number' || !Number.isInteger(digits)) return null;
  // Half away from zero, as SQL rounds; toFixed-free so 1.005 rounds on its decimal text.
  const scaled = Number(`${Math.abs(x)}e${digits}`);
  const r = Number.isFinite(scaled) ? Number(`${Math.round(scaled)}e${-digits}`) : Math.round(Math.abs(x) * 10 ** digits) / 10 ** digits;
  const result = Math.sign(x) * r;
  return Number.isFinite(result) ? result + 0 : null;
}

/** The functions and casts of the filter language. */
export const FUNCTIONS: Record<string, FilterFunction> = {
  lower: { min: 1, max: 1, param: 'string', result: 'string', impl: text((s) => s.toLowerCase()) },
  upper: { min: 1, max: 1, param: 'string', result: 'string', impl: text((s) => s.toUpperCase()) },
  trim: { min: 1, max: 1, param: 'string', result: 'string', impl: text((s) => s.trim()) },
  length: { min: 1, max: 1, param: 'any', result: 'number', impl: (s) => (typeof s === 'string' || Array.isArray(s) ? s.length : null) },
  starts_with: { min: 2, max: 2, param: 'string', result: 'boolean', impl: both((a, b) => a.startsWith(b)) },
  ends_with: { min: 2, max: 2, param: 'string', result: 'boolean', impl: both((a, b) => a.endsWith(b)) },
  contains: {
    min: 2, max: 2, param: 'any', result: 'boolean',
    impl: (a, b) => (typeof a === 'string' ? typeof b === 'string' && a.includes(b) : Array.isArray(a) && a.includes(b)),
  },
  coalesce: { min: 1, max: Infinity, param: 'any', result: 'arg', impl: (...args) => args.find((a) => a !== null && a !== undefined) ?? null },
  if: { min: 3, max: 3, param: ['boolean', 'any'], result: 'arg', resultFrom: 1, impl: (c, a, b) => (c === true ? a : b) },
  int: { min: 1, max: 1, param: 'any', result: 'number', impl: toInt },
  double: { min: 1, max: 1, param: 'any', result: 'number', impl: (v) => coerceDouble(v) ?? null },
  string: { min: 1, max: 1, param: 'any', result: 'string', impl: (v) => (v === null || v === undefined ? null : toText(v)) },
  hour: { min: 1, max: 1, param: 'number', result: 'number', impl: utcPart((d) => d.getUTCHours()) },
  day: { min: 1, max: 1, param: 'number', result: 'number', impl: utcPart((d) => d.getUTCDate()) },
  month: { min: 1, max: 1, param: 'number', result: 'number', impl: utcPart((d) => d.getUTCMonth() + 1) },
  year: { min: 1, max: 1, param: 'number', result: 'number', impl: utcPart((d) => d.getUTCFullYear()) },
  date_trunc: {
    min: 2, max: 2, param: ['string', 'number'], result: 'number', impl: dateTrunc,
    literal: { 0: (unit) => ((TRUNC_UNITS as readonly string[]).includes(unit) ? undefined : `date_trunc() unit must be ${TRUNC_UNITS.map((u) => `'${u}'`).join(', ')}, got '${unit}'`) },
  },
  to_timestamp: { min: 2, max: 2, param: 'string', result: 'number', impl: toTimestamp, literal: { 1: checkFormat } },
  substring: { min: 2, max: 3, param: ['string', 'number'], result: 'string', impl: substring },
  split_part: { min: 3, max: 3, param: ['string', 'string', 'number'], result: 'string', impl: splitPart },
  regexp_extract: { min: 2, max: 3, param: ['string', 'string', 'number'], result: 'string', impl: regexpExtract, literal: { 1: checkRegex } },
  concat: {
    min: 1, max: Infinity, param: 'any', result: 'string',
    impl: (...args) => {
      let out = '';
      for (const a of args) {
        if (a === null || a === undefined || typeof a === 'object') return null;
        out += String(a);
      }
      return out;
    },
  },
  round: { min: 1, max: 2, param: 'number', result: 'number', impl: round },
  abs: { min: 1, max: 1, param: 'number', result: 'number', impl: (x) => (typeof x === 'number' ? Math.abs(x) : null) },
};
