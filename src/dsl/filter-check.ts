import { didYouMean } from './did-you-mean.js';
import type { ComputedColumnNode, Expr, FilterProblem, LiteralNode, ResolvedFieldNode } from './filter-ast.js';
import { checkRegex, FUNCTIONS, paramType, type StaticType } from './filter-functions.js';
import { META_TYPES, isMetaField } from './field-read.js';
import { COERCIONS } from './coerce.js';
import { isNestedType, typeText } from './column-types.js';
import type { ColumnSpec, ColumnType, ScalarType } from './job-spec.js';

const SCALAR_STATIC: Record<ScalarType, StaticType> = {
  string: 'string', json: 'string', int: 'number', long: 'number', double: 'number',
  timestamp: 'number', date: 'number', boolean: 'boolean',
};

/** What the filter sees of a column's value: decimals compare as numbers; nested values are untyped. */
function staticOf(type: ColumnType): StaticType {
  if (typeof type === 'string') return SCALAR_STATIC[type];
  return type.kind === 'decimal' ? 'number' : 'any';
}

interface Typed {
  node: Expr;
  type: StaticType;
  /** The declared column type, when the value is a typed column. */
  column?: ColumnType;
}

/** How messages name a static type: "quantity is a number". */
export const A: Record<StaticType, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null', any: 'untyped' };

/**
 * Resolves names against the schema and checks the filter's types: comparisons that can never be
 * true, wrong argument counts, unknown functions and `$names`, bad regexes, non-conditions.
 */
export function checkFilter(tree: Expr, text: string, schema: ColumnSpec[]): { tree: Expr; problems: FilterProblem[] } {
  const { tree: checked, problems } = checkExpression(tree, text, schema, 'condition');
  return { tree: checked, problems };
}

/**
 * Checks a filter expression as a condition (`where:`) or as a value (a computed column's
 * `expr:`), returning the checked tree and its static type. A computed column read by name
 * becomes its own checked expression and coercion; `unchecked` names the computed columns whose
 * expression is not checked yet, which cannot be read.
 */
export function checkExpression(
  tree: Expr,
  text: string,
  schema: ColumnSpec[],
  as: 'condition' | 'value',
  unchecked?: ReadonlySet<string>,
): { tree: Expr; type: StaticType; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const columns = new Map(schema.map((c) => [c.name, c]));
  const src = (n: Expr) => text.slice(n.start, n.end);
  const problem = (start: number, end: number, message: string) => problems.push({ start, end, message });
  const describeTyped = (t: Typed) => `${src(t.node)} is ${t.column ? typeText(t.column) : A[t.type]}`;

  function condition(node: Expr): Expr {
    const t = walk(node);
    if (t.type !== 'boolean' && t.type !== 'any') problem(node.start, node.end, `expected a condition (true or false), but ${describeTyped(t)}`);
    return t.node;
  }

  // A string literal compared with a timestamp or date column is read as that type once, here.
  function alignLiteral(other: Typed, lit: Typed): Typed {
    const node = lit.node;
    if (node.kind !== 'literal' || typeof node.value !== 'string' || (other.column !== 'timestamp' && other.column !== 'date')) return lit;
    const value = COERCIONS[other.column](node.value);
    if (typeof value !== 'number') {
      problem(node.start, node.end, `${src(node)} is not a ${other.column} (use ISO-8601 like "2026-01-31" or "2026-01-31T12:00:00Z")`);
      return lit;
    }
    return { node: { ...node, value } as LiteralNode, type: 'number' };
  }

  function neverTrue(left: Typed, right: Typed, at: number, end: number, what: string): void {
    if (left.type === 'any' || right.type === 'any' || left.type === right.type || left.type === 'null' || right.type === 'null') return;
    problem(at, end, `${what} can never be true: ${describeTyped(left)}, ${describeTyped(right)}`);
  }

  function walk(node: Expr): Typed {
    switch (node.kind) {
      case 'literal':
        return { node, type: node.value === null ? 'null' : (typeof node.value as StaticType) };
      case 'column':
        return { node, type: node.type ? staticOf(node.type) : 'any', column: node.type };
      case 'computed':
        return { node, type: staticOf(node.type), column: node.type };
      case 'field':
        return resolveField(node);
      case 'call':
        return walkCall(node);
      case 'unary': {
        if (node.op === 'not') return { node: { ...node, operand: condition(node.operand) }, type: 'boolean' };
        const operand = walk(node.operand);
        if (operand.type !== 'number' && operand.type !== 'any') problem(node.start, node.end, `'-' needs a number, but ${describeTyped(operand)}`);
        return { node: { ...node, operand: operand.node }, type: 'number' };
      }
      case 'arithmetic': {
        const left = walk(node.left);
        const right = walk(node.right);
        for (const side of [left, right]) {
          if (side.type !== 'number' && side.type !== 'any') problem(node.opStart, node.opStart + 1, `'${node.op}' needs numbers, but ${describeTyped(side)}`);
        }
        return { node: { ...node, left: left.node, right: right.node }, type: 'number' };
      }
      case 'compare': {
        let left = walk(node.left);
        let right = walk(node.right);
        right = alignLiteral(left, right);
        left = alignLiteral(right, left);
        const opEnd = node.opStart + node.op.length;
        if (left.type === 'null' || right.type === 'null') {
          const hint = node.op === '!=' ? 'is not null' : 'is null';
          problem(node.opStart, opEnd, `a comparison with null is never true; write '${hint}'`);
        } else if (node.op !== '==' && node.op !== '!=' && (left.type === 'boolean' || right.type === 'boolean')) {
          problem(node.opStart, opEnd, `'${node.op}' cannot order true and false`);
        } else {
          neverTrue(left, right, node.opStart, opEnd, `${src(node)}`);
        }
        return { node: { ...node, left: left.node, right: right.node }, type: 'boolean' };
      }
      case 'logical':
        return { node: { ...node, left: condition(node.left), right: condition(node.right) }, type: 'boolean' };
      case 'in': {
        const value = walk(node.value);
        const list = node.list.map((item) => {
          const t = alignLiteral(value, walk(item));
          if (t.type === 'null') problem(item.start, item.end, `null never matches in 'in (...)'; use 'is null'`);
          else neverTrue(value, t, item.start, item.end, `${src(node.value)} ${node.negated ? 'not in' : 'in'} (... ${src(item)} ...)`);
          return t.node;
        });
        return { node: { ...node, value: value.node, list }, type: 'boolean' };
      }
      case 'is-null':
        return { node: { ...node, value: walk(node.value).node }, type: 'boolean' };
      case 'matches': {
        const value = walk(node.value);
        if (value.type !== 'string' && value.type !== 'any') problem(node.value.start, node.value.end, `matches needs a string, but ${describeTyped(value)}`);
        const pattern = node.pattern;
        if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') {
          problem(pattern.start, pattern.end, 'matches needs a string literal with the regular expression');
        } else {
          const invalid = checkRegex(pattern.value);
          if (invalid) problem(pattern.start, pattern.end, invalid);
        }
        return { node: { ...node, value: value.node }, type: 'boolean' };
      }
    }
  }

  function resolveField(node: Extract<Expr, { kind: 'field' }>): Typed {
    const resolved = (from: string, type: ColumnType | undefined, exactKey: boolean): Typed => {
      const r: ResolvedFieldNode = { kind: 'column', name: node.name, from, type, exactKey, start: node.start, end: node.end };
      return { node: r, type: type ? staticOf(type) : 'any', column: type };
    };
    if (node.name.startsWith('$')) {
      if (isMetaField(node.name)) return resolved(node.name, META_TYPES[node.name], true);
      problem(node.start, node.end, `unknown metadata name '${node.name}'${didYouMean(node.name, Object.keys(META_TYPES))}; known: ${Object.keys(META_TYPES).join(' ')}`);
      return resolved(node.name, undefined, true);
    }
    const column = columns.get(node.name);
    if (column?.expr !== undefined) {
      // Reading one whose expression is not checked yet (declared later) could loop; declared first, it cannot.
      if (unchecked?.has(node.name)) {
        problem(node.start, node.end, `'${node.name}' is a computed column declared after this one; declare it first, or repeat its expression here (${column.expr.text})`);
        return resolved(node.name, undefined, false);
      }
      const computed: ComputedColumnNode = { kind: 'computed', name: node.name, type: column.type, expr: column.expr.tree, start: node.start, end: node.end };
      return { node: computed, type: staticOf(column.type), column: column.type };
    }
    // A struct, list or map column read by name is the event's value as it is, untyped.
    if (column) return resolved(column.from, isNestedType(column.type) ? undefined : column.type, false);
    const inStruct = node.quoted ? undefined : structFieldOf(node.path);
    if (inStruct) return resolved(inStruct.from, inStruct.type, false);
    return resolved(node.name, undefined, node.quoted);
  }

  /** `item.price` where `item` is a struct column with a scalar field `price`: that field, typed. */
  function structFieldOf(path: string[]): { from: string; type: ColumnType } | undefined {
    const column = path.length > 1 ? columns.get(path[0]!) : undefined;
    if (!column || column.expr || isMetaField(column.from)) return undefined;
    let type: ColumnType = column.type;
    for (const name of path.slice(1)) {
      if (typeof type !== 'object' || type.kind !== 'struct') return undefined;
      const field: { name: string; type: ColumnType } | undefined = type.fields.find((f) => f.name === name);
      if (!field) return undefined;
      type = field.type;
    }
    return isNestedType(type) ? undefined : { from: [column.from, ...path.slice(1)].join('.'), type };
  }

  function walkCall(node: Extract<Expr, { kind: 'call' }>): Typed {
    const fn = FUNCTIONS[node.name];
    const args = node.args.map(walk);
    const rebuilt = { ...node, args: args.map((a) => a.node) };
    if (!fn) {
      problem(node.start, node.nameEnd, `unknown function '${node.name}'${didYouMean(node.name, Object.keys(FUNCTIONS))}`);
      return { node: rebuilt, type: 'any' };
    }
    if (args.length < fn.min || args.length > fn.max) {
      const wanted = fn.max === Infinity ? `at least ${fn.min}` : fn.min === fn.max ? `${fn.min}` : `${fn.min} to ${fn.max}`;
      problem(node.start, node.nameEnd, `${node.name}() takes ${wanted} argument${wanted === '1' ? '' : 's'}, got ${args.length}`);
    }
    args.forEach((a, i) => {
      const want = paramType(fn, i);
      if (want !== 'any' && a.type !== want && a.type !== 'any' && a.type !== 'null') problem(a.node.start, a.node.end, `${node.name}() needs ${A[want]}, but ${describeTyped(a)}`);
    });
    for (const [at, check] of Object.entries(fn.literal ?? {})) {
      const arg = node.args[Number(at)];
      if (!arg) continue;
      if (arg.kind !== 'literal' || typeof arg.value !== 'string') {
        problem(arg.start, arg.end, `${node.name}() needs a string literal here, not ${src(arg)}`);
        continue;
      }
      const wrong = check(arg.value);
      if (wrong) problem(arg.start, arg.end, wrong);
    }
    const type = fn.result === 'arg' ? (args.slice(fn.resultFrom ?? 0).find((a) => a.type !== 'any' && a.type !== 'null')?.type ?? 'any') : fn.result;
    return { node: rebuilt, type };
  }

  if (as === 'condition') return { tree: condition(tree), type: 'boolean', problems };
  const t = walk(tree);
  return { tree: t.node, type: t.type, problems };
}
