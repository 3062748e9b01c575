import type { Expr, ResolvedFieldNode } from './filter-ast.js';
import { isMetaField } from './field-read.js';

/**
 * String values of which every event the checked predicate `tree` accepts holds at least one, as a
 * JSON string somewhere in the event; undefined when the predicate gives no such set.
 *
 * Only `field == "lit"`, `field in ("a", ...)`, `and` and `or` of those give a set: every other
 * form can be true of an event without any particular string in it (`not`, `!=`, functions,
 * `$key`...). The set says nothing about how the string is written in the record's bytes.
 */
export function requiredLiterals(tree: Expr): ReadonlySet<string> | undefined {
  switch (tree.kind) {
    case 'compare': {
      if (tree.op !== '==') return undefined;
      const [column, literal] = tree.left.kind === 'literal' ? [tree.right, tree.left] : [tree.left, tree.right];
      return eventString(column) && matchedOnlyByText(column, literal) ? new Set([literal.value as string]) : undefined;
    }
    case 'in': {
      if (tree.negated || !eventString(tree.value)) return undefined;
      const column = tree.value;
      const values = new Set<string>();
      for (const item of tree.list) {
        if (!matchedOnlyByText(column, item)) return undefined;
        values.add(item.value as string);
      }
      return values;
    }
    case 'logical': {
      const left = requiredLiterals(tree.left);
      const right = requiredLiterals(tree.right);
      if (tree.op === 'or') return left && right ? new Set([...left, ...right]) : undefined;
      if (!left || !right) return left ?? right;
      return moreSelective(left, right);
    }
    default:
      return undefined;
  }
}

/** A value read from the event itself as it was decoded, or through the string coercion only. */
function eventString(node: Expr): node is ResolvedFieldNode {
  return node.kind === 'column' && !isMetaField(node.from) && (node.type === undefined || node.type === 'string');
}

/**
 * Whether `==` of the column and `literal` can only be true when the event holds the literal as a
 * JSON string. An undeclared field is compared with ===, so yes; a `string` column first turns
 * numbers and booleans into text (coerceString), so `"5"`, `"Infinity"` or `"true"` would also
 * match the JSON number 5.0, 1e999 or the boolean true, which no search for the text can find.
 */
function matchedOnlyByText(column: ResolvedFieldNode, literal: Expr): literal is Expr & { kind: 'literal'; value: string } {
  if (literal.kind !== 'literal' || typeof literal.value !== 'string') return false;
  return column.type === undefined || !couldBeScalarText(literal.value);
}

/** True when String(v) of some JSON number or boolean is `text`. */
function couldBeScalarText(text: string): boolean {
  // String(Number(s)) === s holds exactly for the texts String() gives for some number.
  return text === 'true' || text === 'false' || String(Number(text)) === text;
}

// Fewer values means fewer searches per record; at equal counts a longer shortest value is rarer.
function moreSelective(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (a.size !== b.size) return a.size < b.size ? a : b;
  return shortest(a) >= shortest(b) ? a : b;
}

function shortest(values: ReadonlySet<string>): number {
  let min = Infinity;
  for (const v of values) min = Math.min(min, v.length);
  return min;
}
