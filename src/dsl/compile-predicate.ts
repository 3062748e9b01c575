import type { CompareOp, Expr, ResolvedFieldNode } from './filter-ast.js';
import { filterCoercionFor } from './coerce-typed.js';
import { FUNCTIONS } from './filter-functions.js';
import { fieldReader, isMetaField, META_PROPERTY } from './field-read.js';
import type { RecordMeta } from './job-spec.js';

/** A compiled `where`: true when the event passes. */
export type Predicate = (event: Record<string, unknown>, meta: RecordMeta) => boolean;

const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
// Lists longer than this become a Set lookup instead of a chain of ===.
const SET_THRESHOLD = 8;

/**
 * Compiles a checked filter tree into one JavaScript function. The code is generated from the
 * tree, never from the user's text: literals go through JSON.stringify, and regexes, readers and
 * functions are closure values handed to the generated function by position.
 */
export function compilePredicate(tree: Expr | undefined): Predicate {
  if (!tree) return () => true;
  const { body, values } = generatePredicateCode(tree);
  const names = values.map((_, i) => `c${i}`);
  const factory = new Function(...names, body) as (...v: unknown[]) => Predicate;
  return factory(...values);
}

/** A compiled computed-column expression: its value for the event (null when it has none). */
export type ValueFunction = (event: Record<string, unknown>, meta: RecordMeta) => unknown;

/**
 * Compiles a checked expression (a computed column's `expr:`) into one JavaScript function that
 * returns its value, generated the way predicates are. A typed column that cannot be coerced
 * gives undefined, as in the filter; anything that throws gives null.
 */
export function compileExpression(tree: Expr): ValueFunction {
  const { body, values } = generateCode(tree, 'value');
  const names = values.map((_, i) => `c${i}`);
  const factory = new Function(...names, body) as (...v: unknown[]) => ValueFunction;
  return factory(...values);
}

/** The body of the predicate factory and the closure values it takes (exported for tests). */
export function generatePredicateCode(tree: Expr): { body: string; values: unknown[] } {
  return generateCode(tree, 'condition');
}

function generateCode(tree: Expr, as: 'condition' | 'value'): { body: string; values: unknown[] } {
  const values: unknown[] = [];
  let temps = 0;
  const constant = (v: unknown) => `c${values.push(v) - 1}`;
  const temp = () => `t${temps++}`;
  const isLiteral = (n: Expr): n is Extract<Expr, { kind: 'literal' }> => n.kind === 'literal';

  function literal(value: string | number | boolean | null): string {
    return typeof value === 'number' && !Number.isFinite(value) ? constant(value) : JSON.stringify(value);
  }

  function column(node: ResolvedFieldNode): string {
    let raw: string;
    if (isMetaField(node.from)) raw = `m[${JSON.stringify(META_PROPERTY[node.from])}]`;
    else if (node.from.includes('.') || node.from in Object.prototype) raw = `${constant(fieldReader(node.from, node.exactKey))}(e, m)`;
    else raw = `e[${JSON.stringify(node.from)}]`;
    if (!node.type) return raw;
    const coerce = constant(filterCoercionFor(node.type));
    const t = temp();
    // Inline the common case (the value already has the type) and call out for the rest.
    if (node.type === 'string') return `(typeof (${t} = ${raw}) === "string" ? ${t} : ${coerce}(${t}))`;
    if (node.type === 'int') return `(typeof (${t} = ${raw}) === "number" && (${t} | 0) === ${t} ? ${t} : ${coerce}(${t}))`;
    if (node.type === 'boolean') return `(typeof (${t} = ${raw}) === "boolean" ? ${t} : ${coerce}(${t}))`;
    return `${coerce}(${raw})`;
  }

  function value(node: Expr): string {
    switch (node.kind) {
      case 'literal':
        return literal(node.value);
      case 'column':
        return column(node);
      case 'computed':
        // The column's value as the output row gets it: its expression, then its coercion.
        return `${constant(filterCoercionFor(node.type))}(${value(node.expr)})`;
      case 'field':
        throw new Error(`internal: unresolved field ${node.name}`);
      case 'call':
        return `${constant(FUNCTIONS[node.name].impl)}(${node.args.map(value).join(', ')})`;
      case 'unary': {
        if (node.op === 'not') return cond(node);
        const t = temp();
        return `(typeof (${t} = ${value(node.operand)}) === "number" ? -${t} : null)`;
      }
      case 'arithmetic': {
        const a = temp();
        const b = temp();
        const op = node.op === '/' || node.op === '%' ? `${b} === 0 ? null : ${a} ${node.op} ${b}` : `${a} ${node.op} ${b}`;
        return `((${a} = ${value(node.left)}), (${b} = ${value(node.right)}), typeof ${a} === "number" && typeof ${b} === "number" ? ${op} : null)`;
      }
      default:
        return cond(node);
    }
  }

  function compare(op: CompareOp, leftNode: Expr, rightNode: Expr): string {
    if (isLiteral(leftNode) && !isLiteral(rightNode)) return compare(MIRROR[op], rightNode, leftNode);
    const left = value(leftNode);
    const a = temp();
    if (isLiteral(rightNode) && rightNode.value !== null) {
      const lit = literal(rightNode.value);
      if (op === '==') return `(${left} === ${lit})`;
      if (op === '!=') return `((${a} = ${left}) != null && ${a} !== ${lit})`;
      return `(typeof (${a} = ${left}) === ${JSON.stringify(typeof rightNode.value)} && ${a} ${op} ${lit})`;
    }
    const b = temp();
    const both = `(${a} = ${left}) != null && (${b} = ${value(rightNode)}) != null`;
    if (op === '==') return `(${both} && ${a} === ${b})`;
    if (op === '!=') return `(${both} && ${a} !== ${b})`;
    return `(${both} && (typeof ${a} === "number" || typeof ${a} === "string") && typeof ${a} === typeof ${b} && ${a} ${op} ${b})`;
  }

  function cond(node: Expr): string {
    switch (node.kind) {
      case 'logical':
        return `(${cond(node.left)} ${node.op === 'and' ? '&&' : '||'} ${cond(node.right)})`;
      case 'unary':
        return node.op === 'not' ? `!${cond(node.operand)}` : `(${value(node)} === true)`;
      case 'compare':
        return compare(node.op, node.left, node.right);
      case 'in': {
        const t = temp();
        const literals = node.list.every((n) => isLiteral(n) && n.value !== null);
        let test: string;
        if (literals && node.list.length > SET_THRESHOLD) {
          test = `${constant(new Set(node.list.map((n) => (n as { value: unknown }).value)))}.has(${t})`;
        } else {
          test = node.list.map((n) => `${t} === ${value(n)}`).join(' || ');
        }
        return `((${t} = ${value(node.value)}) != null && ${node.negated ? '!' : ''}(${test}))`;
      }
      case 'is-null': {
        // A typed column that failed coercion is undefined: present, so not null.
        const eq = (node.value.kind === 'column' && node.value.type) || node.value.kind === 'computed' ? '=' : '';
        return `(${value(node.value)} ${node.negated ? '!' : '='}=${eq} null)`;
      }
      case 'matches': {
        const t = temp();
        const pattern = node.pattern.kind === 'literal' ? String(node.pattern.value) : '';
        return `(typeof (${t} = ${value(node.value)}) === "string" && ${node.negated ? '!' : ''}${constant(new RegExp(pattern))}.test(${t}))`;
      }
      case 'literal':
        return node.value === true ? 'true' : 'false';
      default:
        return `(${value(node)} === true)`;
    }
  }

  const expression = as === 'condition' ? cond(tree) : value(tree);
  const declare = temps ? `let ${Array.from({ length: temps }, (_, i) => `t${i}`).join(', ')};` : '';
  // The try/catch keeps the contract "never throws" even for an event that is not an object.
  const name = as === 'condition' ? 'filter' : 'compute';
  const otherwise = as === 'condition' ? 'false' : 'null';
  const body = `"use strict";\nreturn function ${name}(e, m) {\n  ${declare}\n  try {\n    return ${expression};\n  } catch {\n    return ${otherwise};\n  }\n};`;
  return { body, values };
}
