import { coerceDouble, coerceString } from './coerce.js';

/** What the type checker knows about a filter value. `any` is an undeclared field. */
export type StaticType = 'string' | 'number' | 'boolean' | 'null' | 'any';

/** A filter function: how many arguments it takes, their types, its result and its code. */
export interface FilterFunction {
  min: number;
  max: number;
  /** The type every argument must have ('any' accepts all). */
  param: StaticType;
  /** The result type; 'arg' means the type of the first typed argument (coalesce). */
  result: StaticType | 'arg';
  impl: (...args: unknown[]) => unknown;
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
  int: { min: 1, max: 1, param: 'any', result: 'number', impl: toInt },
  double: { min: 1, max: 1, param: 'any', result: 'number', impl: (v) => coerceDouble(v) ?? null },
  string: { min: 1, max: 1, param: 'any', result: 'string', impl: (v) => (v === null || v === undefined ? null : toText(v)) },
};
