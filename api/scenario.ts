// Scenario files for `gamepipe generate`: a list of (route, Host header, count[, method]) lines.
import { readFileSync } from 'node:fs';
import { UserError } from '../src/user-error.js';
import { isMap, parseYamlFile } from './yaml-source.js';

/** One scenario line: send `count` requests to `route` with this Host header. */
export interface ScenarioLine {
  route: string;
  host: string;
  count: number;
  method: 'GET' | 'POST';
}

const KEYS = new Set(['route', 'host', 'count', 'method']);
/** The most requests one line may ask for, so a typo cannot start a day-long run. */
export const MAX_COUNT = 10_000_000;

/** Reads and checks a scenario file; problems are one-line UserErrors naming file:line. */
export function loadScenario(file: string): ScenarioLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read scenario ${file}: ${(err as Error).message}`);
  }
  return parseScenario(text, file);
}

/** Checks scenario text (pure apart from the error it throws). */
export function parseScenario(text: string, file: string): ScenarioLine[] {
  const src = parseYamlFile(text, file);
  const root = src.doc.toJS() as unknown;
  if (!Array.isArray(root) || root.length === 0) {
    throw src.error([], 'a scenario is a non-empty list of { route, host, count } entries');
  }
  return root.map((raw, i): ScenarioLine => {
    if (!isMap(raw)) throw src.error([i], 'each entry must be a map with route, host and count');
    for (const key of Object.keys(raw)) {
      if (!KEYS.has(key)) throw src.error([i, key], `unknown key '${key}' (allowed: route, host, count, method)`);
    }
    const { route, host, count, method = 'GET' } = raw;
    if (typeof route !== 'string' || !route.startsWith('/') || /\s/.test(route)) {
      throw src.error([i, 'route'], 'route must be a path starting with / and without spaces, e.g. /purchase_a_sword');
    }
    if (typeof host !== 'string' || host === '' || /[\s/]/.test(host)) {
      throw src.error([i, 'host'], 'host must be a host name such as user1.comcast.com');
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      throw src.error([i, 'count'], `count must be a whole number from 1 to ${MAX_COUNT}`);
    }
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (verb !== 'GET' && verb !== 'POST') throw src.error([i, 'method'], 'method must be GET or POST');
    return { route, host, count, method: verb };
  });
}
