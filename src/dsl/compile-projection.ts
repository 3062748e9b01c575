import { coercionFor, explainCoercion } from './coerce-typed.js';
import { typeText } from './column-types.js';
import { compileExpression } from './compile-predicate.js';
import { fieldReader, type FieldReader } from './field-read.js';
import type { ColumnType, JobSpec, OutputValue, RecordMeta } from './job-spec.js';

/** A compiled projection: fills `out` and returns undefined, or returns why the event is bad. */
export type Projection = (event: Record<string, unknown>, meta: RecordMeta, out: OutputValue[]) => string | undefined;

/** The output columns of a job: the schema's, then the `include` ones. */
export function outputColumns(spec: JobSpec): { name: string; type: ColumnType }[] {
  return [...spec.schema.map((c) => ({ name: c.name, type: c.type })), ...spec.include.map((name) => ({ name, type: 'string' as const }))];
}

function shortValue(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Builds the projection of a checked spec: each column's reader and coercion, built once. */
export function compileProjection(spec: JobSpec): Projection {
  // A computed column's value is read like a field's: compiled once, then coerced the same way.
  const readers: FieldReader[] = spec.schema.map((c) => (c.expr ? compileExpression(c.expr.tree) : fieldReader(c.from)));
  const coercions = spec.schema.map((c) => coercionFor(c.type));
  const n = readers.length;
  const withRaw = spec.include.includes('raw_event');
  return (event, meta, out) => {
    try {
      for (let i = 0; i < n; i++) {
        const raw = readers[i](event, meta);
        const v = coercions[i](raw);
        if (v === undefined) {
          const c = spec.schema[i];
          // Explained again from the start: where inside a nested value, and why a decimal did not fit.
          const why = explainCoercion(c.type, raw) ?? { path: '', value: raw, type: c.type };
          const detail = why.detail ? `: ${why.detail}` : '';
          return `column ${c.name}${why.path}: cannot read ${shortValue(why.value)} as ${typeText(why.type)}${detail}${c.expr ? ` (the value of its expr)` : ''}`;
        }
        out[i] = v;
      }
      if (withRaw) out[n] = meta.raw;
      return undefined;
    } catch (err) {
      return `cannot project the event: ${(err as Error).message}`;
    }
  };
}
