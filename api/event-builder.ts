// Turns one request on one catalog route into one event, or into the validation error that refuses it (pure).
import type { RouteSpec, Template } from './catalog.js';
import { copyHeaders, isPlainFieldName, isReservedField, type IncomingHeaders } from './event-fields.js';
import { applyRule, type ParamRule } from './param-rules.js';

/** At most this many query/body parameters on an `accepts: any` route. */
export const MAX_REQUEST_PARAMS = 32;

const TEXT: ParamRule = { kind: 'text' };

/** What a request brings: decoded path parameters, the parsed query string, the parsed JSON body. */
export interface RequestInput {
  pathParams: Record<string, string>;
  query: Record<string, unknown>;
  /** undefined when the request had no body. */
  body: unknown;
  headers: IncomingHeaders;
}

/** The 400 body: which parameter broke which rule, and a sentence saying so. */
export interface ValidationError {
  error: string;
  parameter: string;
  rule: string;
}

/** The event to produce with the sentence to answer, or the validation error. */
export type BuildResult =
  | { ok: true; event: Record<string, string>; says: string }
  | { ok: false; error: ValidationError };

/** Builds the event for `route`; `eventId` and `eventTs` come from the caller so this stays pure. */
export function buildEvent(route: RouteSpec, input: RequestInput, eventId: string, eventTs: string): BuildResult {
  const values: Record<string, string> = {};
  for (const name of route.pathParams) {
    const checked = check(route, name, input.pathParams[name] ?? '');
    if (!checked.ok) return checked;
    values[name] = checked.value;
  }
  const extra = requestParams(route, input);
  if (!extra.ok) return extra;
  for (const [name, raw] of extra.params) {
    const checked = check(route, name, raw);
    if (!checked.ok) return checked;
    values[name] = checked.value;
  }

  const event: Record<string, string> = { event_type: render(route.eventType, values) };
  for (const [name, value] of Object.entries(values)) {
    // `/events/:event_type` names the type itself; it is already the event_type field.
    if (name !== 'event_type') event[name] = value;
  }
  Object.assign(event, route.fields);
  event.event_id = eventId;
  event.event_ts = eventTs;
  copyHeaders(input.headers, event);
  return { ok: true, event, says: render(route.says, values) };
}

function check(route: RouteSpec, name: string, raw: string): { ok: true; value: string } | { ok: false; error: ValidationError } {
  const result = applyRule(route.rules[name] ?? TEXT, raw);
  if (result.ok) return result;
  return invalid(name, result.rule, `parameter '${name}' ${result.why}`);
}

function invalid(parameter: string, rule: string, error: string): { ok: false; error: ValidationError } {
  return { ok: false, error: { error, parameter, rule } };
}

type Params = { ok: true; params: [string, string][] } | { ok: false; error: ValidationError };

// Gathers the query-string and JSON-body parameters the route accepts, as strings.
function requestParams(route: RouteSpec, input: RequestInput): Params {
  if (Array.isArray(route.accepts) && route.accepts.length === 0) return { ok: true, params: [] };
  const found = new Map<string, string>();
  for (const [name, value] of Object.entries(input.query)) {
    if (typeof value !== 'string') return invalid(name, 'single_value', `query parameter '${name}' is given more than once`);
    found.set(name, value);
  }
  if (input.body !== undefined && input.body !== null && input.body !== '') {
    if (typeof input.body !== 'object' || Array.isArray(input.body)) {
      return invalid('(body)', 'json_object', 'the JSON body must be an object of parameter names to values');
    }
    for (const [name, value] of Object.entries(input.body as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return invalid(name, 'scalar', `body parameter '${name}' must be a string, number or boolean`);
      }
      if (found.has(name)) return invalid(name, 'duplicate', `parameter '${name}' is given in both the query string and the body`);
      found.set(name, String(value));
    }
  }

  const params: [string, string][] = [];
  if (route.accepts !== 'any') {
    for (const name of route.accepts) {
      const value = found.get(name);
      if (value !== undefined) params.push([name, value]);
    }
    return { ok: true, params };
  }
  if (found.size > MAX_REQUEST_PARAMS) {
    return invalid('(all)', 'max_parameters', `at most ${MAX_REQUEST_PARAMS} parameters per request, got ${found.size}`);
  }
  for (const [name, value] of found) {
    if (!isPlainFieldName(name)) {
      return invalid(name, 'parameter_name', `parameter name '${name}' must be letters, digits and _ (at most 64), starting with a letter or _`);
    }
    if (isReservedField(name) || route.pathParams.includes(name) || name in route.fields) {
      return invalid(name, 'reserved', `parameter name '${name}' is reserved: every event sets it itself`);
    }
    params.push([name, value]);
  }
  return { ok: true, params };
}

function render(template: Template, values: Record<string, string>): string {
  let out = '';
  for (const part of template) out += typeof part === 'string' ? part : values[part.param];
  return out;
}
