// chevrotain's package entry is ~40 modules plus ~600 of lodash-es; loading them through tsx costs
// over a second on every `gamepipe validate`. The package also ships the same version as one
// self-contained ES module, which loads in tens of milliseconds: use that, with the package's types.
import type * as Chevrotain from 'chevrotain';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const entry = createRequire(import.meta.url).resolve('chevrotain');
const bundle = (await import(new URL('../chevrotain.mjs', pathToFileURL(entry)).href)) as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser, EOF } = bundle;
export type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
