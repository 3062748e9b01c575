import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../api/catalog.js';
import { MAX_VALUE_LENGTH } from '../../api/param-rules.js';
import { bodyUtf8Refusal, encodingProblem, pathRefusal, queryRefusal } from '../../api/request-encoding.js';

const { routes } = loadCatalog();

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('encodingProblem', () => {
  it.each([
    ['plain', undefined],
    ['%C3%A9lite', undefined],
    ['%F0%9F%97%A1', undefined],
    ['%ff', 'utf8'],
    ['%C0%AF', 'utf8'], // an overlong '/'
    ['%ED%A0%80', 'utf8'], // a lone surrogate
    ['%E0%A4', 'utf8'], // a sequence cut short
    ['%E0%A4%A', 'percent_encoding'],
    ['%zz', 'percent_encoding'],
    ['100%', 'percent_encoding'],
  ])('%s -> %s', (raw, problem) => {
    expect(encodingProblem(raw)).toBe(problem);
  });
});

describe('queryRefusal', () => {
  it('passes query strings that percent-decode to UTF-8', () => {
    expect(queryRefusal('')).toBeUndefined();
    expect(queryRefusal('a=1&b=%C3%A9&c&=&d=x+y')).toBeUndefined();
  });

  it('names the first parameter whose value or name does not decode', () => {
    expect(queryRefusal('ok=1&size=%ff&later=%zz')).toMatchObject({ parameter: 'size', rule: 'utf8' });
    expect(queryRefusal('x=%E0%A4%A')).toMatchObject({ parameter: 'x', rule: 'percent_encoding' });
    expect(queryRefusal('caf%C3%A9=%ff')).toMatchObject({ parameter: 'café', rule: 'utf8' });
    // A name that cannot be decoded is named as it arrived.
    expect(queryRefusal('%ff=1')).toMatchObject({ parameter: '%ff', rule: 'utf8' });
    expect(queryRefusal('flag%ff')).toMatchObject({ parameter: 'flag%ff', rule: 'utf8' });
    expect(queryRefusal('size=%ff')!.error).toContain("'size'");
  });
});

describe('bodyUtf8Refusal', () => {
  it('names the top-level field that holds the bad bytes, in its value or its name', () => {
    expect(bodyUtf8Refusal(bytes('{"ok":"é","a":"x', [0xff, 0xfe], 'y"}'))).toMatchObject({ parameter: 'a', rule: 'utf8' });
    expect(bodyUtf8Refusal(bytes('{"a":{"deep":"', [0xc3], '"}}'))).toMatchObject({ parameter: 'a', rule: 'utf8' });
    expect(bodyUtf8Refusal(bytes('{"n', [0xff], '":1}'))).toMatchObject({ parameter: 'n\uFFFD', rule: 'utf8' });
  });

  it('names (body) when the bytes are not in a field of a JSON object', () => {
    expect(bodyUtf8Refusal(bytes([0xff, 0xfe], '{}'))).toEqual({ error: 'the body is not valid UTF-8', parameter: '(body)', rule: 'utf8' });
    expect(bodyUtf8Refusal(bytes('["', [0xff], '"]'))).toMatchObject({ parameter: '(body)', rule: 'utf8' });
    expect(bodyUtf8Refusal(bytes('{"a":"', [0xff]))).toMatchObject({ parameter: '(body)', rule: 'utf8' });
  });
});

describe('pathRefusal', () => {
  it.each([
    ['/purchase/sw%ffrd', 'item', 'utf8'],
    ['/purchase/sw%E0%A4%Ard?x=%ff', 'item', 'percent_encoding'],
    ['/purchase_a_horse/3/%C0%AF/1/', 'size', 'utf8'],
    ['/join_a_guild/ann/%zz', 'guildname', 'percent_encoding'],
    [`/join_a_guild/ann/${'g'.repeat(MAX_VALUE_LENGTH + 1)}`, 'guildname', 'max_length'],
    [`/join_a_guild/${'%2F'.repeat(MAX_VALUE_LENGTH + 1)}/g`, 'username', 'max_length'],
  ])('names the path parameter of %s', (url, parameter, rule) => {
    const refusal = pathRefusal(routes, url);
    expect(refusal).toMatchObject({ parameter, rule });
    expect(refusal.error).toContain(`'${parameter}'`);
  });

  it.each([
    ['/%zz', 'percent_encoding'],
    ['/purchase_a_sw%ffrd', 'utf8'],
    ['/no_such/route/%ff', 'utf8'],
    ['/purchase/a/%ff', 'utf8'],
  ])('names (path) when no catalog route fits around %s', (url, rule) => {
    expect(pathRefusal(routes, url)).toMatchObject({ parameter: '(path)', rule });
  });

  it('names (path) with rule url when no segment is at fault', () => {
    expect(pathRefusal(routes, 'http://[bad/purchase/x')).toMatchObject({ parameter: '(path)', rule: 'url' });
  });
});
