import type { ColumnType } from './job-spec.js';

/** Offsets of a node in the filter text: [start, end). */
export interface Span {
  start: number;
  end: number;
}

/** Comparison operators. */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** Arithmetic operators. */
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** A literal value written in the filter. */
export interface LiteralNode extends Span {
  kind: 'literal';
  value: string | number | boolean | null;
}

/** A name as the parser saw it: `size`, `player.level`, `` `User-Agent` ``, `$timestamp`. */
export interface FieldNode extends Span {
  kind: 'field';
  /** The name as written, without backquotes; dotted paths joined with '.'. */
  name: string;
  path: string[];
  quoted: boolean;
}

/** A field after checking: a schema column, Kafka metadata, or an undeclared event field. */
export interface ResolvedFieldNode extends Span {
  kind: 'column';
  /** The column name, or the field name for undeclared fields. */
  name: string;
  /** Where the value is read: the column's `from`, a `$meta` name or the field's path. */
  from: string;
  /** The declared type; undefined for undeclared event fields, which stay untyped. */
  type?: ColumnType;
  /** Backquoted names read exactly that top-level key. */
  exactKey: boolean;
}

/**
 * A computed column read by name after checking: its checked expression, whose value is coerced to
 * the column's type, exactly as the output row gets it.
 */
export interface ComputedColumnNode extends Span {
  kind: 'computed';
  name: string;
  type: ColumnType;
  expr: Expr;
}

/** A function call such as `lower(x)` or a cast such as `int(x)`. */
export interface CallNode extends Span {
  kind: 'call';
  name: string;
  nameEnd: number;
  args: Expr[];
}

/** `not x` or `-x`. */
export interface UnaryNode extends Span {
  kind: 'unary';
  op: 'not' | '-';
  operand: Expr;
}

/** `a + b` and friends. */
export interface ArithmeticNode extends Span {
  kind: 'arithmetic';
  op: ArithmeticOp;
  opStart: number;
  left: Expr;
  right: Expr;
}

/** `a == b` and friends. */
export interface CompareNode extends Span {
  kind: 'compare';
  op: CompareOp;
  opStart: number;
  left: Expr;
  right: Expr;
}

/** `a and b`, `a or b`. */
export interface LogicalNode extends Span {
  kind: 'logical';
  op: 'and' | 'or';
  left: Expr;
  right: Expr;
}

/** `x in (...)`, `x not in (...)`. */
export interface InNode extends Span {
  kind: 'in';
  negated: boolean;
  value: Expr;
  list: Expr[];
}

/** `x is null`, `x is not null`. */
export interface IsNullNode extends Span {
  kind: 'is-null';
  negated: boolean;
  value: Expr;
}

/** `x matches "regex"`, `x not matches "regex"`. */
export interface MatchesNode extends Span {
  kind: 'matches';
  negated: boolean;
  value: Expr;
  pattern: Expr;
}

/** Any filter expression node. */
export type Expr =
  | LiteralNode
  | FieldNode
  | ResolvedFieldNode
  | ComputedColumnNode
  | CallNode
  | UnaryNode
  | ArithmeticNode
  | CompareNode
  | LogicalNode
  | InNode
  | IsNullNode
  | MatchesNode;

/** A problem in the filter text, at offsets into it. */
export interface FilterProblem extends Span {
  message: string;
}
