import { createToken, Lexer, type IToken, type TokenType } from './chevrotain.js';
import type { FilterProblem } from './filter-ast.js';

const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });
const keyword = (word: string) => createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, label: `'${word}'` });

/** The filter language's tokens, grouped for the parser. */
export const T = {
  WhiteSpace: createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED }),
  And: keyword('and'),
  Or: keyword('or'),
  Not: keyword('not'),
  In: keyword('in'),
  Is: keyword('is'),
  Null: keyword('null'),
  True: keyword('true'),
  False: keyword('false'),
  Matches: keyword('matches'),
  Identifier,
  Meta: createToken({ name: 'Meta', pattern: /\$[A-Za-z_][A-Za-z0-9_]*/, label: 'a $metadata name' }),
  Backquoted: createToken({ name: 'Backquoted', pattern: /`[^`\n]*`/, label: 'a `quoted name`' }),
  String: createToken({ name: 'String', pattern: /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/, label: 'a string' }),
  Number: createToken({ name: 'Number', pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, label: 'a number' }),
  Le: createToken({ name: 'Le', pattern: '<=', label: "'<='" }),
  Ge: createToken({ name: 'Ge', pattern: '>=', label: "'>='" }),
  Eq: createToken({ name: 'Eq', pattern: '==', label: "'=='" }),
  Ne: createToken({ name: 'Ne', pattern: '!=', label: "'!='" }),
  Lt: createToken({ name: 'Lt', pattern: '<', label: "'<'" }),
  Gt: createToken({ name: 'Gt', pattern: '>', label: "'>'" }),
  Plus: createToken({ name: 'Plus', pattern: '+', label: "'+'" }),
  Minus: createToken({ name: 'Minus', pattern: '-', label: "'-'" }),
  Star: createToken({ name: 'Star', pattern: '*', label: "'*'" }),
  Slash: createToken({ name: 'Slash', pattern: '/', label: "'/'" }),
  Percent: createToken({ name: 'Percent', pattern: '%', label: "'%'" }),
  LParen: createToken({ name: 'LParen', pattern: '(', label: "'('" }),
  RParen: createToken({ name: 'RParen', pattern: ')', label: "')'" }),
  Comma: createToken({ name: 'Comma', pattern: ',', label: "','" }),
  Dot: createToken({ name: 'Dot', pattern: '.', label: "'.'" }),
} satisfies Record<string, TokenType>;

/** All tokens, keywords before Identifier so they win. */
export const ALL_TOKENS: TokenType[] = Object.values(T);

const lexer = new Lexer(ALL_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: false });

// Characters people bring from other languages, and what to write instead.
const HINTS: Record<string, string> = {
  '=': "use '==' to compare",
  '&': "use 'and'",
  '|': "use 'or'",
  '!': "use 'not' or '!='",
  '"': 'the string is not closed',
  "'": 'the string is not closed',
  '`': 'the quoted name is not closed',
};

/** Splits filter text into tokens; unknown characters become problems with a hint. */
export function tokenize(text: string): { tokens: IToken[]; problems: FilterProblem[] } {
  const result = lexer.tokenize(text);
  const problems = result.errors.map((e) => {
    const ch = text[e.offset];
    const hint = HINTS[ch] ? ` (${HINTS[ch]})` : '';
    return { start: e.offset, end: e.offset + (e.length || 1), message: `unexpected character '${ch}' in the filter${hint}` };
  });
  return { tokens: result.tokens, problems };
}
