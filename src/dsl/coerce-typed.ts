import { COERCIONS, FILTER_COERCIONS, coerceDouble, type Coercion } from './coerce.js';
import { readDecimal } from './coerce-decimal.js';
import type { ColumnType, OutputValue } from './job-spec.js';

// Coercions for every column type, scalar or nested, built once per column. A nested coercion
// returns undefined as soon as one value inside fails; `explainCoercion` then walks the value
// again to say where (failures are rare, so the hot path keeps no path bookkeeping).

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A field of an event object by name; names Object.prototype has (constructor) only when the object has them itself. */
function own(v: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

/** The coercion project() applies for a column of `type`. */
export function coercionFor(type: ColumnType): Coercion {
  if (typeof type === 'string') return COERCIONS[type];
  switch (type.kind) {
    case 'decimal':
      return (v) => {
        const r = readDecimal(v, type);
        return typeof r === 'string' ? undefined : r;
      };
    case 'list': {
      const element = coercionFor(type.element);
      return (v) => {
        if (v === null || v === undefined) return null;
        if (!Array.isArray(v)) return undefined;
        const out: OutputValue[] = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const e = element(v[i]);
          if (e === undefined) return undefined;
          out[i] = e;
        }
        return out;
      };
    }
    case 'map': {
      const value = coercionFor(type.value);
      return (v) => {
        if (v === null || v === undefined) return null;
        if (!isObject(v)) return undefined;
        const out: OutputValue[] = [];
        for (const key of Object.keys(v)) {
          const e = value(v[key]);
          if (e === undefined) return undefined;
          out.push([key, e]);
        }
        return out;
      };
    }
    case 'struct': {
      const names = type.fields.map((f) => f.name);
      const fields = type.fields.map((f) => coercionFor(f.type));
      return (v) => {
        if (v === null || v === undefined) return null;
        if (!isObject(v)) return undefined;
        const out: OutputValue[] = new Array(fields.length);
        for (let i = 0; i < fields.length; i++) {
          // A field the object lacks reads as missing, so it is null.
          const e = fields[i]!(own(v, names[i]!));
          if (e === undefined) return undefined;
          out[i] = e;
        }
        return out;
      };
    }
  }
}

/**
 * The coercion the filter applies to a column it reads by name: as project() for scalars (longs
 * as plain numbers), decimals as numbers to compare, nested values as they are.
 */
export function filterCoercionFor(type: ColumnType): Coercion {
  if (typeof type === 'string') return FILTER_COERCIONS[type];
  if (type.kind === 'decimal') return coerceDouble;
  return (v) => (v === undefined ? null : (v as OutputValue));
}

/** Where inside a value its coercion failed: the path (`[3].price`, `["eu"]`), the value there, its type and why. */
export interface CoercionFailure {
  path: string;
  value: unknown;
  type: ColumnType;
  /** What is wrong beyond "cannot read", when there is more to say (a decimal's digits). */
  detail?: string;
}

/** Why `v` cannot be coerced to `type`, or undefined when it can. */
export function explainCoercion(type: ColumnType, v: unknown, path = ''): CoercionFailure | undefined {
  if (typeof type === 'string') return COERCIONS[type](v) === undefined ? { path, value: v, type } : undefined;
  if (v === null || v === undefined) return undefined;
  switch (type.kind) {
    case 'decimal': {
      const r = readDecimal(v, type);
      return typeof r === 'string' ? { path, value: v, type, detail: r } : undefined;
    }
    case 'list':
      if (!Array.isArray(v)) return { path, value: v, type };
      for (let i = 0; i < v.length; i++) {
        const failure = explainCoercion(type.element, v[i], `${path}[${i}]`);
        if (failure) return failure;
      }
      return undefined;
    case 'map':
      if (!isObject(v)) return { path, value: v, type };
      for (const key of Object.keys(v)) {
        const failure = explainCoercion(type.value, v[key], `${path}[${JSON.stringify(key)}]`);
        if (failure) return failure;
      }
      return undefined;
    case 'struct':
      if (!isObject(v)) return { path, value: v, type };
      for (const field of type.fields) {
        const failure = explainCoercion(field.type, own(v, field.name), `${path}.${field.name}`);
        if (failure) return failure;
      }
      return undefined;
  }
}
