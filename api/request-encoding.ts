// Checks how a request's text is encoded, on the raw bytes and escapes: fastify's lenient decoding
// would otherwise store bad UTF-8 as U+FFFD, or keep a broken %-escape as it came (pure).
import type { RouteSpec } from './catalog.js';
import type { ValidationError } from './event-builder.js';
import { MAX_VALUE_LENGTH } from './param-rules.js';

/** Why a raw URL component does not decode: a broken escape, or escapes that spell no UTF-8. */
export type EncodingProblem = 'percent_encoding' | 'utf8';

const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const REPLACEMENT = '\uFFFD';

/** Why `raw` (a path segment, a query name or value) does not percent-decode to UTF-8, if it does not. */
export function encodingProblem(raw: string): EncodingProblem | undefined {
  if (!raw.includes('%')) return undefined;
  try {
    decodeURIComponent(raw);
    return undefined;
  } catch {
    return BROKEN_ESCAPE.test(raw) ? 'percent_encoding' : 'utf8';
  }
}

/** The refusal for the first query parameter whose name or value does not decode, if any. */
export function queryRefusal(rawQuery: string): ValidationError | undefined {
  if (!rawQuery.includes('%')) return undefined;
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const nameProblem = encodingProblem(name);
    const problem = nameProblem ?? (eq < 0 ? undefined : encodingProblem(pair.slice(eq + 1)));
    if (problem === undefined) continue;
    // The name as the query parser reports it, or as it arrived when it cannot be decoded itself.
    const parameter = nameProblem ? name : decodeURIComponent(name.replaceAll('+', ' '));
    return { error: `query parameter '${parameter}' ${explain(problem)}`, parameter, rule: problem };
  }
  return undefined;
}

/**
 * The refusal for a URL the router could not take apart: a path segment that does not decode, or one
 * too long for a parameter. It names the path parameter when a catalog route fits the URL's other
 * segments, else `(path)`.
 */
export function pathRefusal(routes: readonly RouteSpec[], url: string): ValidationError {
  const segments = url.split(/[?#]/, 1)[0].split('/').slice(1);
  // The router ignores a trailing slash.
  if (segments.length > 1 && segments.at(-1) === '') segments.pop();
  for (const [at, segment] of segments.entries()) {
    const problem = encodingProblem(segment) ?? (decodeURIComponent(segment).length > MAX_VALUE_LENGTH ? 'max_length' : undefined);
    if (problem === undefined) continue;
    const parts = routes.map((r) => r.path.split('/').slice(1)).find((p) => fits(p, segments));
    const parameter = parts?.[at].startsWith(':') ? parts[at].slice(1) : '(path)';
    const subject = parameter === '(path)' ? 'the path' : `path parameter '${parameter}'`;
    const why = problem === 'max_length' ? `must be at most ${MAX_VALUE_LENGTH} characters` : explain(problem);
    return { error: `${subject} ${why}`, parameter, rule: problem };
  }
  return { error: 'the request target is not a path this API can decode', parameter: '(path)', rule: 'url' };
}

// True when a route's path parts (`:name` for a parameter) could match these raw segments.
function fits(parts: string[], segments: string[]): boolean {
  return parts.length === segments.length && parts.every((part, i) => part.startsWith(':') || part === segments[i]);
}

/**
 * The refusal for a JSON body whose bytes are not UTF-8. It names the first top-level field whose
 * name or value holds a U+FFFD once decoded leniently, which is where the bad bytes were (unless an
 * earlier field sent a real U+FFFD); a body that is no JSON object even so is named `(body)`.
 */
export function bodyUtf8Refusal(bytes: Uint8Array): ValidationError {
  let parameter = '(body)';
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const field = Object.entries(parsed).find(([name, value]) => (name + JSON.stringify(value)).includes(REPLACEMENT));
      if (field) parameter = field[0];
    }
  } catch {
    // Not JSON either: the body as a whole is at fault.
  }
  const error = parameter === '(body)' ? 'the body is not valid UTF-8' : `body parameter '${parameter}' is not valid UTF-8`;
  return { error, parameter, rule: 'utf8' };
}

function explain(problem: EncodingProblem): string {
  return problem === 'utf8'
    ? 'holds percent-encoded bytes that are not valid UTF-8'
    : "holds a '%' not followed by two hex digits";
}
