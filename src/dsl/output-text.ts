import { decimalText } from './coerce-decimal.js';
import type { ColumnType, OutputValue } from './job-spec.js';

// Output values as `gamepipe test` shows and compares them.

/** True when two output values are equal, looking inside struct, list and map values. */
export function sameOutput(a: OutputValue | undefined, b: OutputValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameOutput(x, b[i]));
  return a === b;
}

function shown(v: unknown, type: ColumnType | undefined): unknown {
  if (v === null || v === undefined || type === undefined || typeof type === 'string' || !Array.isArray(v)) {
    if (typeof v === 'bigint' && typeof type === 'object' && type.kind === 'decimal') return decimalText(v, type.scale);
    return typeof v === 'bigint' ? v.toString() : v;
  }
  switch (type.kind) {
    case 'list':
      return v.map((e) => shown(e, type.element));
    case 'map':
      return Object.fromEntries((v as [string, OutputValue][]).map(([k, e]) => [k, shown(e, type.value)]));
    case 'struct':
      return Object.fromEntries(type.fields.map((f, i) => [f.name, shown(v[i], f.type)]));
    default:
      return v;
  }
}

/** A value as text: JSON, with bigints and decimals as their digits and structs and maps as objects. */
export function showOutput(v: unknown, type?: ColumnType): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'bigint' && (type === undefined || typeof type === 'string')) return v.toString();
  const text = JSON.stringify(shown(v, type));
  return typeof v === 'bigint' ? text.slice(1, -1) : text;
}
