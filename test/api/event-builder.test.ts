import { describe, expect, it } from 'vitest';
import { loadCatalog, type RouteSpec } from '../../api/catalog.js';
import { buildEvent, MAX_REQUEST_PARAMS, type RequestInput } from '../../api/event-builder.js';
import { MAX_HEADER_LENGTH } from '../../api/event-fields.js';
import { MAX_VALUE_LENGTH } from '../../api/param-rules.js';

const catalog = loadCatalog();
const route = (path: string): RouteSpec => {
  const found = catalog.routes.find((r) => r.path === path);
  if (!found) throw new Error(`no route ${path} in the catalog`);
  return found;
};
const input = (over: Partial<RequestInput> = {}): RequestInput => ({ pathParams: {}, query: {}, body: undefined, headers: {}, ...over });
const ID = '00000000-0000-4000-8000-000000000000';
const TS = '2026-11-22T15:00:00.123Z';

function refusal(path: string, over: Partial<RequestInput>) {
  const result = buildEvent(route(path), input(over), ID, TS);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return result.error;
}

describe('buildEvent', () => {
  it('builds the horse event with size lower-cased, other values kept as the strings that arrived', () => {
    const result = buildEvent(route('/purchase_a_horse/:speed/:size/:quantity'), input({ pathParams: { speed: '3.5', size: 'LaRgE', quantity: '007' } }), ID, TS);
    expect(result).toEqual({
      ok: true,
      says: 'Horse Purchased!',
      event: { event_type: 'purchase_horse', speed: '3.5', size: 'large', quantity: '007', event_id: ID, event_ts: TS },
    });
  });

  it.each([
    ['speed', { speed: '-1', size: 'small', quantity: '1' }, 'non_negative_number'],
    ['speed', { speed: '1e3', size: 'small', quantity: '1' }, 'non_negative_number'],
    ['size', { speed: '1', size: 'huge', quantity: '1' }, 'one_of'],
    ['quantity', { speed: '1', size: 'small', quantity: '1.5' }, 'non_negative_integer'],
    ['quantity', { speed: '1', size: 'small', quantity: '-2' }, 'non_negative_integer'],
  ])('refuses a bad %s on the horse route with the rule it broke', (parameter, pathParams, rule) => {
    const error = refusal('/purchase_a_horse/:speed/:size/:quantity', { pathParams });
    expect(error).toMatchObject({ parameter, rule });
    expect(error.error).toContain(parameter);
  });

  it('refuses values longer than the limit and empty values', () => {
    const long = 'x'.repeat(MAX_VALUE_LENGTH + 1);
    expect(refusal('/join_a_guild/:username/:guildname', { pathParams: { username: long, guildname: 'g' } })).toMatchObject({ parameter: 'username', rule: 'max_length' });
    expect(refusal('/join_a_guild/:username/:guildname', { pathParams: { username: 'u', guildname: '' } })).toMatchObject({ parameter: 'guildname', rule: 'non_empty' });
  });

  it('copies only the whitelisted headers, under their usual names', () => {
    const headers = {
      host: 'user1.comcast.com',
      'user-agent': 'ApacheBench/2.3',
      accept: '*/*',
      'accept-language': 'fr',
      'x-forwarded-for': '10.0.0.1',
      cookie: 'session=secret',
      authorization: 'Bearer secret',
      'x-other': 'no',
    };
    const result = buildEvent(route('/purchase_a_knife'), input({ headers }), ID, TS);
    expect(result.ok && result.event).toEqual({
      event_type: 'purchase_knife',
      description: 'very sharp knife',
      event_id: ID,
      event_ts: TS,
      Host: 'user1.comcast.com',
      'User-Agent': 'ApacheBench/2.3',
      Accept: '*/*',
      'Accept-Language': 'fr',
      'X-Forwarded-For': '10.0.0.1',
    });
  });

  it('cuts a copied header longer than 1 KiB and says how much it cut, keeping shorter ones whole', () => {
    const headers = { 'user-agent': 'u'.repeat(15 * 1024), accept: 'a'.repeat(MAX_HEADER_LENGTH), 'x-forwarded-for': ['1.2.3.4', 'x'.repeat(2000)] };
    const result = buildEvent(route('/purchase_a_knife'), input({ headers }), ID, TS);
    expect(MAX_HEADER_LENGTH).toBe(1024);
    expect(result.ok && result.event).toMatchObject({
      'User-Agent': `${'u'.repeat(1024)}…[cut 14336 chars]`,
      Accept: 'a'.repeat(1024),
      // Repeated headers are joined first, then cut as one value.
      'X-Forwarded-For': `1.2.3.4, ${'x'.repeat(1024 - 9)}…[cut 985 chars]`,
    });
  });

  it('turns /guild/:action into join_guild or leave_guild and takes username and guildname from the request', () => {
    const result = buildEvent(route('/guild/:action'), input({ pathParams: { action: 'LEAVE' }, query: { username: 'ann', other: 'ignored' }, body: { guildname: 'knights' } }), ID, TS);
    expect(result.ok && result.event).toEqual({ event_type: 'leave_guild', action: 'leave', username: 'ann', guildname: 'knights', event_id: ID, event_ts: TS });
    expect(refusal('/guild/:action', { pathParams: { action: 'sell' } })).toMatchObject({ parameter: 'action', rule: 'one_of' });
  });

  it('takes any parameter on the generic routes, numbers and booleans from a JSON body as strings', () => {
    const result = buildEvent(route('/purchase/:item'), input({ pathParams: { item: 'spellbook' }, query: { school: 'fire' }, body: { level: 3, rare: true } }), ID, TS);
    expect(result.ok && result.event).toEqual({ event_type: 'purchase_spellbook', item: 'spellbook', school: 'fire', level: '3', rare: 'true', event_id: ID, event_ts: TS });
    const typed = buildEvent(route('/events/:event_type'), input({ pathParams: { event_type: 'login' }, query: { level: '2' } }), ID, TS);
    expect(typed.ok && typed.event).toEqual({ event_type: 'login', level: '2', event_id: ID, event_ts: TS });
  });

  it.each([
    ['a bad item', { pathParams: { item: 'Spell-Book' } }, 'item', 'identifier'],
    ['a reserved name', { pathParams: { item: 'book' }, query: { event_id: 'forged' } }, 'event_id', 'reserved'],
    ['a header name', { pathParams: { item: 'book' }, query: { host: 'forged' } }, 'host', 'reserved'],
    ['the path parameter again', { pathParams: { item: 'book' }, query: { item: 'other' } }, 'item', 'reserved'],
    ['a bad name', { pathParams: { item: 'book' }, query: { 'a.b': '1' } }, 'a.b', 'parameter_name'],
    ['a repeated query parameter', { pathParams: { item: 'book' }, query: { a: ['1', '2'] } }, 'a', 'single_value'],
    ['a name in query and body', { pathParams: { item: 'book' }, query: { a: '1' }, body: { a: '2' } }, 'a', 'duplicate'],
    ['a nested body value', { pathParams: { item: 'book' }, body: { a: { b: 1 } } }, 'a', 'scalar'],
    ['a body that is no object', { pathParams: { item: 'book' }, body: [1, 2] }, '(body)', 'json_object'],
  ])('refuses %s on /purchase/:item', (_what, over, parameter, rule) => {
    expect(refusal('/purchase/:item', over as Partial<RequestInput>)).toMatchObject({ parameter, rule });
  });

  it('refuses more request parameters than the limit', () => {
    const query = Object.fromEntries(Array.from({ length: MAX_REQUEST_PARAMS + 1 }, (_, i) => [`p${i}`, 'v']));
    expect(refusal('/purchase/:item', { pathParams: { item: 'book' }, query })).toMatchObject({ rule: 'max_parameters' });
  });
});
