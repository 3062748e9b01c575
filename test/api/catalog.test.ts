import { describe, expect, it } from 'vitest';
import { loadCatalog, parseCatalog } from '../../api/catalog.js';
import { UserError } from '../../src/user-error.js';

function problem(text: string): string {
  try {
    parseCatalog(text, 'cat.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('the catalog was accepted');
}

describe('the event catalog', () => {
  it('ships every route of the event contract', () => {
    const paths = loadCatalog().routes.map((r) => r.path);
    expect(paths).toEqual([
      '/',
      '/purchase_a_sword',
      '/purchase_a_sword/:color/:quantity',
      '/purchase_a_shield',
      '/purchase_a_knife',
      '/upgrade_a_sword',
      '/upgrade_a_shield',
      '/purchase_a_horse/:speed/:size/:quantity',
      '/join_a_guild',
      '/join_a_guild/:username/:guildname',
      '/guild/:action',
      '/purchase/:item',
      '/events/:event_type',
    ]);
  });

  it('accepts a new event type with validated parameters and no code', () => {
    const catalog = parseCatalog(
      'routes:\n  - path: /open_a_chest/:chest\n    event_type: open_chest\n    says: Chest opened!\n    params:\n      chest: { one_of: [wood, gold] }\n',
      'cat.yaml',
    );
    expect(catalog.routes[0]).toMatchObject({ pathParams: ['chest'], rules: { chest: { kind: 'one_of', values: ['wood', 'gold'] } } });
  });

  it.each([
    ['routes:\n  - path: /a\n    event_type: a\n    says: A\n    colour: red\n', /^cat\.yaml:5: unknown key 'colour'/],
    ['routes:\n  - path: /a\n    event_type: a\n', /^cat\.yaml:2: says must be a non-empty string/],
    ['routes:\n  - path: /a/:x\n    event_type: "{y}_a"\n    says: A\n', /^cat\.yaml:3: \{y\} is not a path parameter/],
    ['routes:\n  - path: /a/:x\n    event_type: a\n    says: A\n    params:\n      x: positive\n', /^cat\.yaml:6: rule must be one of/],
    ['routes:\n  - path: /a\n    event_type: a\n    says: A\n    params:\n      z: text\n', /^cat\.yaml:6: 'z' is neither a path parameter nor accepted/],
    ['routes:\n  - path: /a\n    event_type: A-b\n    says: A\n', /^cat\.yaml:3: event_type 'A-b' must be/],
    ['routes:\n  - path: /a/:event_id\n    event_type: a\n    says: A\n', /^cat\.yaml:2: path parameter 'event_id' would overwrite/],
    ['routes:\n  - path: /a\n    event_type: a\n    says: A\n  - path: /a\n    event_type: b\n    says: B\n', /^cat\.yaml:5: path \/a is declared twice/],
    ['routes:\n  - path: /a\n    event_type: a\n    says: A\n    fields:\n      Host: x\n', /^cat\.yaml:6: field name 'Host' is reserved/],
    ['routes: [\n', /^cat\.yaml:\d+: YAML syntax/],
    ['events: []\n', /^cat\.yaml:1: the catalog must be a map with one key/],
  ])('refuses a bad catalog with file:line (%#)', (text, message) => {
    expect(problem(text)).toMatch(message);
  });
});
