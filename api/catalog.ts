// Loads and checks the event catalog (api/events.yaml): routes, event types and parameter rules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../src/user-error.js';
import { isPlainFieldName, isReservedField } from './event-fields.js';
import { NAMED_RULES, type ParamRule } from './param-rules.js';
import { isMap, parseYamlFile, type YamlSource } from './yaml-source.js';

/** The catalog shipped with gamepipe. */
export const DEFAULT_CATALOG = fileURLToPath(new URL('./events.yaml', import.meta.url));

/** A string with `{param}` holes, split once at load so requests only concatenate. */
export type Template = (string | { param: string })[];

/** One checked catalog route. */
export interface RouteSpec {
  path: string;
  /** The `:name` segments of the path, in order. */
  pathParams: string[];
  eventType: Template;
  says: Template;
  /** Rules for path parameters and accepted request parameters; missing means free text. */
  rules: Record<string, ParamRule>;
  /** Parameters taken from the query string or a JSON body: none, a fixed list, or any name. */
  accepts: 'any' | string[];
  fields: Record<string, string>;
}

/** The checked catalog: routes in file order. */
export interface Catalog {
  file: string;
  routes: RouteSpec[];
}

const ROUTE_KEYS = new Set(['path', 'event_type', 'says', 'params', 'accepts', 'fields']);
const SEGMENT = /^(:[a-z][a-z0-9_]*|[A-Za-z0-9_.-]+)$/;
const EVENT_TYPE = /^[a-z][a-z0-9_]{0,63}$/;

/** Reads and checks a catalog file; any problem is a UserError naming file:line. */
export function loadCatalog(file = DEFAULT_CATALOG): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read event catalog ${file}: ${(err as Error).message}`);
  }
  return parseCatalog(text, file);
}

/** Checks catalog text (pure apart from the error it throws). */
export function parseCatalog(text: string, file: string): Catalog {
  const src = parseYamlFile(text, file);
  const root = src.doc.toJS() as unknown;
  if (!isMap(root) || !Array.isArray(root.routes) || Object.keys(root).some((k) => k !== 'routes')) {
    throw src.error([], 'the catalog must be a map with one key, `routes:`, holding a list');
  }
  const seen = new Map<string, number>();
  const routes = root.routes.map((raw, i) => {
    const route = checkRoute(src, i, raw);
    if (seen.has(route.path)) throw src.error(['routes', i, 'path'], `path ${route.path} is declared twice`);
    seen.set(route.path, i);
    return route;
  });
  return { file, routes };
}

function checkRoute(src: YamlSource, i: number, raw: unknown): RouteSpec {
  const at = (...p: (string | number)[]) => ['routes', i, ...p];
  if (!isMap(raw)) throw src.error(at(), 'each route must be a map with path, event_type and says');
  for (const key of Object.keys(raw)) {
    if (!ROUTE_KEYS.has(key)) throw src.error(at(key), `unknown key '${key}' (allowed: ${[...ROUTE_KEYS].join(', ')})`);
  }
  const path = requireString(src, raw.path, at('path'), 'path');
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || (path !== '/' && segments.some((s) => !SEGMENT.test(s)))) {
    throw src.error(at('path'), `path '${path}' must start with / and hold literal segments or :lower_case names`);
  }
  const pathParams = segments.filter((s) => s.startsWith(':')).map((s) => s.slice(1));
  // `:event_type` is the one reserved name a path may use: it names the event type itself.
  const clash = pathParams.find((p) => p !== 'event_type' && isReservedField(p));
  if (clash) throw src.error(at('path'), `path parameter '${clash}' would overwrite a field every event carries`);
  const accepts = checkAccepts(src, raw.accepts, at('accepts'), pathParams);
  const known = (name: string) => pathParams.includes(name) || (Array.isArray(accepts) && accepts.includes(name));
  const eventType = parseTemplate(src, requireString(src, raw.event_type, at('event_type'), 'event_type'), at('event_type'), pathParams);
  if (eventType.every((part) => typeof part === 'string') && !EVENT_TYPE.test(eventType.join(''))) {
    throw src.error(at('event_type'), `event_type '${eventType.join('')}' must be lower-case letters, digits and _`);
  }
  return {
    path,
    pathParams,
    eventType,
    says: parseTemplate(src, requireString(src, raw.says, at('says'), 'says'), at('says'), pathParams),
    rules: checkRules(src, raw.params, at('params'), known, accepts === 'any'),
    accepts,
    fields: checkFields(src, raw.fields, at('fields'), known),
  };
}

function requireString(src: YamlSource, value: unknown, path: (string | number)[], what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw src.error(path, `${what} must be a non-empty string`);
  return value;
}

function parseTemplate(src: YamlSource, text: string, path: (string | number)[], pathParams: string[]): Template {
  const parts: Template = [];
  let last = 0;
  for (const m of text.matchAll(/\{([^}]*)\}/g)) {
    if (!pathParams.includes(m[1])) throw src.error(path, `{${m[1]}} is not a path parameter of this route`);
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ param: m[1] });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function checkAccepts(src: YamlSource, value: unknown, path: (string | number)[], pathParams: string[]): 'any' | string[] {
  if (value === undefined) return [];
  if (value === 'any') return 'any';
  if (!Array.isArray(value)) throw src.error(path, 'accepts must be `any` or a list of parameter names');
  for (const name of value) {
    if (typeof name !== 'string' || !isPlainFieldName(name) || isReservedField(name)) {
      throw src.error(path, `'${String(name)}' is not a usable parameter name`);
    }
    if (pathParams.includes(name)) throw src.error(path, `'${name}' is already a path parameter`);
  }
  return value as string[];
}

function checkRules(
  src: YamlSource,
  value: unknown,
  path: (string | number)[],
  known: (name: string) => boolean,
  acceptsAny: boolean,
): Record<string, ParamRule> {
  if (value === undefined) return {};
  if (!isMap(value)) throw src.error(path, 'params must be a map of parameter name to rule');
  const rules: Record<string, ParamRule> = {};
  for (const [name, rule] of Object.entries(value)) {
    if (!known(name) && !acceptsAny) throw src.error([...path, name], `'${name}' is neither a path parameter nor accepted`);
    rules[name] = checkRule(src, rule, [...path, name]);
  }
  return rules;
}

function checkRule(src: YamlSource, rule: unknown, path: (string | number)[]): ParamRule {
  if (typeof rule === 'string' && (NAMED_RULES as readonly string[]).includes(rule)) {
    return { kind: rule as (typeof NAMED_RULES)[number] };
  }
  if (isMap(rule) && Object.keys(rule).length === 1 && Array.isArray(rule.one_of)) {
    const values = rule.one_of;
    if (values.length > 0 && values.every((v) => typeof v === 'string' && v !== '')) {
      return { kind: 'one_of', values: values as string[] };
    }
  }
  throw src.error(path, `rule must be one of ${NAMED_RULES.join(', ')} or { one_of: [non-empty strings] }`);
}

function checkFields(
  src: YamlSource,
  value: unknown,
  path: (string | number)[],
  known: (name: string) => boolean,
): Record<string, string> {
  if (value === undefined) return {};
  if (!isMap(value)) throw src.error(path, 'fields must be a map of name to string');
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw src.error([...path, name], `field '${name}' must be a string`);
    if (!isPlainFieldName(name) || isReservedField(name) || known(name)) {
      throw src.error([...path, name], `field name '${name}' is reserved, a parameter, or not a plain name`);
    }
  }
  return value as Record<string, string>;
}
