import { EmbeddedActionsParser, EOF, type IToken, type TokenType, type IParserErrorMessageProvider } from './chevrotain.js';
import type { ArithmeticOp, CompareOp, Expr, FieldNode, FilterProblem, LiteralNode } from './filter-ast.js';
import { ALL_TOKENS, T, tokenize } from './filter-lexer.js';

const describeToken = (t: IToken) => (t.tokenType === EOF ? 'the end of the filter' : `'${t.image}'`);
const VALUE_RULES = new Set(['unary', 'primary', 'additive', 'multiplicative', 'predicate', 'notExpr']);
const label = (t: TokenType) => t.LABEL ?? t.name;

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describeToken(firstRedundant)} (expected 'and', 'or' or the end of the filter)`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    VALUE_RULES.has(ruleName) ? `expected a value, a name or '(' but found ${describeToken(actual[0])}` : `unexpected ${describeToken(actual[0])}`,
  buildEarlyExitMessage: ({ actual }) => `expected a value but found ${describeToken(actual[0])}`,
};

const end = (t: IToken) => t.startOffset + t.image.length;

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', '/': '/' };

/**
 * Unescapes a quoted string token's text ("..." or '...', JSON escapes). Other backslashes are
 * kept, so regexes read naturally: "\.com$" is the regex \.com$.
 */
function unquote(image: string): string {
  return image.slice(1, -1).replace(/\\(u[0-9a-fA-F]{4}|.)/g, (whole, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? whole;
  });
}

class FilterParser extends EmbeddedActionsParser {
  constructor() {
    super(ALL_TOKENS, { maxLookahead: 3, errorMessageProvider: messages });
    this.performSelfAnalysis();
  }

  readonly expression: () => Expr = this.RULE('expression', () => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      const right = this.SUBRULE2(this.andExpr);
      left = { kind: 'logical', op: 'or', left, right, start: left.start, end: right.end };
    });
    return left;
  });

  private readonly andExpr: () => Expr = this.RULE('andExpr', () => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      const right = this.SUBRULE2(this.notExpr);
      left = { kind: 'logical', op: 'and', left, right, start: left.start, end: right.end };
    });
    return left;
  });

  private readonly notExpr: () => Expr = this.RULE('notExpr', () =>
    this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.notExpr);
          return { kind: 'unary', op: 'not', operand, start: not.startOffset, end: operand.end } as Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]),
  );

  private readonly predicate: () => Expr = this.RULE('predicate', () => {
    const value = this.SUBRULE(this.additive);
    let result: Expr = value;
    this.OPTION(() => {
      result = this.OR([
        {
          ALT: () => {
            const opToken = this.OR2([T.Eq, T.Ne, T.Le, T.Ge, T.Lt, T.Gt].map((tok) => ({ ALT: () => this.CONSUME(tok) })));
            const right = this.SUBRULE2(this.additive);
            return { kind: 'compare', op: opToken.image as CompareOp, opStart: opToken.startOffset, left: value, right, start: value.start, end: right.end } as Expr;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Is);
            const negated = this.OPTION2(() => this.CONSUME2(T.Not)) !== undefined;
            const nul = this.CONSUME(T.Null);
            return { kind: 'is-null', negated, value, start: value.start, end: end(nul) } as Expr;
          },
        },
        {
          ALT: () => {
            const negated = this.OPTION3(() => this.CONSUME3(T.Not)) !== undefined;
            return this.OR3([
              {
                ALT: () => {
                  this.CONSUME(T.In);
                  this.CONSUME(T.LParen);
                  const list: Expr[] = [];
                  this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => list.push(this.SUBRULE3(this.additive)) });
                  const close = this.CONSUME(T.RParen);
                  return { kind: 'in', negated, value, list, start: value.start, end: end(close) } as Expr;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Matches);
                  const pattern = this.SUBRULE4(this.additive);
                  return { kind: 'matches', negated, value, pattern, start: value.start, end: pattern.end } as Expr;
                },
              },
            ]);
          },
        },
      ]);
    });
    return result;
  });

  private readonly additive: () => Expr = this.RULE('additive', () => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      const right = this.SUBRULE2(this.multiplicative);
      left = { kind: 'arithmetic', op: op.image as ArithmeticOp, opStart: op.startOffset, left, right, start: left.start, end: right.end };
    });
    return left;
  });

  private readonly multiplicative: () => Expr = this.RULE('multiplicative', () => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Star) }, { ALT: () => this.CONSUME(T.Slash) }, { ALT: () => this.CONSUME(T.Percent) }]);
      const right = this.SUBRULE2(this.unary);
      left = { kind: 'arithmetic', op: op.image as ArithmeticOp, opStart: op.startOffset, left, right, start: left.start, end: right.end };
    });
    return left;
  });

  private readonly unary: () => Expr = this.RULE('unary', () =>
    this.OR([
      {
        ALT: () => {
          const minus = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          if (operand.kind === 'literal' && typeof operand.value === 'number') {
            return { kind: 'literal', value: -operand.value, start: minus.startOffset, end: operand.end } as Expr;
          }
          return { kind: 'unary', op: '-', operand, start: minus.startOffset, end: operand.end } as Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]),
  );

  private readonly primary: () => Expr = this.RULE('primary', () =>
    this.OR([
      { ALT: () => literal(this.CONSUME(T.String), (t) => unquote(t.image)) },
      { ALT: () => literal(this.CONSUME(T.Number), (t) => Number(t.image)) },
      { ALT: () => literal(this.CONSUME(T.True), () => true) },
      { ALT: () => literal(this.CONSUME(T.False), () => false) },
      { ALT: () => literal(this.CONSUME(T.Null), () => null) },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const inner = this.SUBRULE(this.expression);
          const close = this.CONSUME(T.RParen);
          // Keep the parentheses in the span so carets cover what the user grouped.
          return { ...inner, start: open.startOffset, end: end(close) } as Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Backquoted);
          const name = t.image.slice(1, -1);
          return { kind: 'field', name, path: [name], quoted: true, start: t.startOffset, end: end(t) } as FieldNode;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.Meta);
          return { kind: 'field', name: t.image, path: [t.image], quoted: false, start: t.startOffset, end: end(t) } as FieldNode;
        },
      },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]),
  );

  private readonly nameOrCall: () => Expr = this.RULE('nameOrCall', () => {
    const first = this.CONSUME(T.Identifier);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const args: Expr[] = [];
          this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.expression)) });
          const close = this.CONSUME(T.RParen);
          return { kind: 'call', name: first.image, nameEnd: end(first), args, start: first.startOffset, end: end(close) } as Expr;
        },
      },
      {
        ALT: () => {
          const path = [first.image];
          let last = first;
          this.MANY(() => {
            this.CONSUME(T.Dot);
            last = this.CONSUME2(T.Identifier);
            path.push(last.image);
          });
          return { kind: 'field', name: path.join('.'), path, quoted: false, start: first.startOffset, end: end(last) } as FieldNode;
        },
      },
    ]);
  });
}

function literal(t: IToken, value: (t: IToken) => LiteralNode['value']): LiteralNode {
  return { kind: 'literal', value: value(t), start: t.startOffset, end: end(t) };
}

// Building the parser analyses the grammar (a few ms); do it once, on first use.
let parser: FilterParser | undefined;

/** Parses filter text into a tree, or returns the syntax problems (positions are offsets into the text). */
export function parseFilter(text: string): { tree?: Expr; problems: FilterProblem[] } {
  const { tokens, problems } = tokenize(text);
  if (problems.length) return { problems };
  if (tokens.length === 0) return { problems: [{ start: 0, end: 0, message: 'the filter is empty' }] };
  parser ??= new FilterParser();
  parser.input = tokens;
  const tree = parser.expression();
  const errors = parser.errors.map((e) => {
    const t = e.token;
    const start = t.tokenType === EOF ? text.trimEnd().length : t.startOffset;
    return { start, end: start + Math.max(1, t.image?.length ?? 1), message: e.message };
  });
  return errors.length ? { problems: errors.slice(0, 1) } : { tree, problems: [] };
}
