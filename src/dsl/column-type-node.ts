import { isMap, isScalar, type Node, type Pair } from 'yaml';
import type { ShapeProblem } from './check-structure.js';
import { describe } from './describe-node.js';
import { isNestedType, NESTED_KINDS, parseDecimalText, SCALAR_TYPES, typeText } from './column-types.js';
import { didYouMean } from './did-you-mean.js';
import type { ColumnType } from './job-spec.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a column type from its YAML node: a name (`double`, `decimal(10,2)`) or, where `nested` is
 * allowed, a mapping `{ struct: { field: type, ... } }`, `{ list: type }` or `{ map: type }`.
 * Every problem goes to `problems` at its place in the file; the type is returned only when there
 * is none. Both the checker of the file's shape and the schema reader call this, so they agree.
 */
export function readColumnType(node: Node | null | undefined, where: string, at: number, nested: boolean, problems: ShapeProblem[]): ColumnType | undefined {
  const before = problems.length;
  const type = read(node, where, at, nested, problems);
  return problems.length === before ? type : undefined;
}

function expected(nested: boolean): string {
  return `one of ${SCALAR_TYPES.join(', ')} or decimal(p,s)${nested ? ', or a mapping { struct: {...} }, { list: type } or { map: type }' : ''}`;
}

function read(node: Node | null | undefined, where: string, at: number, nested: boolean, problems: ShapeProblem[]): ColumnType | undefined {
  const offset = node?.range?.[0] ?? at;
  const problem = (message: string, pos = offset): undefined => void problems.push({ offset: pos, message });
  if (isScalar(node) && typeof node.value === 'string') {
    const text = node.value;
    if ((SCALAR_TYPES as readonly string[]).includes(text)) return text as ColumnType;
    const decimal = parseDecimalText(text);
    if (decimal && 'problem' in decimal) {
      // `{ type: decimal(10,2) }` in a flow mapping: YAML ends the value at the comma.
      const flowCut = /^decimal\s*\(\s*\d+\s*$/.test(text) ? ' (inside { } quote it: "decimal(10,2)")' : '';
      return problem(`${where}: ${decimal.problem}${flowCut}`);
    }
    if (decimal) return decimal;
    const args = /\(.*$/.exec(text)?.[0];
    const candidates = [...SCALAR_TYPES, args ? `decimal${args}` : 'decimal(p,s)', ...(nested ? NESTED_KINDS : [])];
    return problem(`${where} must be ${expected(nested)}, got '${text}'${didYouMean(text, candidates)}`);
  }
  if (!isMap(node)) return problem(`${where} must be ${expected(nested)}, got ${describe(node)}`);
  if (!nested) return problem(`${where} must be ${expected(false)}, got a mapping`);
  const pairs = node.items as Pair<Node, Node>[];
  if (pairs.length === 0) return problem(`${where} must name struct, list or map, like { list: double }`);
  let type: ColumnType | undefined;
  for (const [i, pair] of pairs.entries()) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const keyOffset = pair.key?.range?.[0] ?? offset;
    if (typeof key !== 'string' || !(NESTED_KINDS as readonly string[]).includes(key)) {
      problem(`unknown key '${String(key)}' in ${where}${typeof key === 'string' ? didYouMean(key, NESTED_KINDS) : ''}; a nested type is one of struct, list or map`, keyOffset);
      continue;
    }
    if (i > 0) {
      problem(`${where} names more than one of struct, list and map; give one`, keyOffset);
      continue;
    }
    const inner = `${where}.${key}`;
    const valueAt = pair.value?.range?.[0] ?? keyOffset;
    if (key === 'list') {
      const element = read(pair.value, inner, valueAt, true, problems);
      if (element) type = { kind: 'list', element };
    } else if (key === 'map') {
      const value = read(pair.value, inner, valueAt, true, problems);
      if (value) type = { kind: 'map', value };
    } else {
      type = readStruct(pair.value, inner, valueAt, problems);
    }
  }
  return type;
}

function readStruct(node: Node | null | undefined, where: string, at: number, problems: ShapeProblem[]): ColumnType | undefined {
  const offset = node?.range?.[0] ?? at;
  if (!isMap(node) || node.items.length === 0) {
    problems.push({ offset, message: `${where} must be a mapping of field names to types, like { name: string, price: "decimal(10,2)" }, got ${isMap(node) ? 'an empty mapping' : describe(node)}` });
    return undefined;
  }
  const fields: { name: string; type: ColumnType }[] = [];
  for (const pair of node.items as Pair<Node, Node>[]) {
    const name = isScalar(pair.key) ? pair.key.value : undefined;
    const keyOffset = pair.key?.range?.[0] ?? offset;
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push({ offset: keyOffset, message: `'${String(name)}' in ${where} is not a valid field name (letters, digits and _ , not starting with a digit)` });
      continue;
    }
    const type = read(pair.value, `${where}.${name}`, pair.value?.range?.[0] ?? keyOffset, true, problems);
    if (type) fields.push({ name, type });
  }
  return { kind: 'struct', fields };
}

/** The message for a nested type given to a computed column, or undefined when the type is fine there. */
export function exprTypeProblem(type: ColumnType, where: string): string | undefined {
  if (!isNestedType(type)) return undefined;
  return `${where} is ${typeText(type)}; a computed column (expr:) has a scalar type (${SCALAR_TYPES.join(', ')} or decimal(p,s)): read a struct, list or map with from:`;
}
