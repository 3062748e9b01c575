import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OAuthSettings, OAuthToken } from '../../src/kafka/connection-settings.js';
import { cachingProvider, mskIamToken, oauthTokenProvider, oidcClientCredentialsToken } from '../../src/kafka/oauth-token.js';
import { UserError } from '../../src/user-error.js';
import { freePort } from '../support/ports.js';

const SECRET = 'sEcReT-cl1ent-s3cret';

describe('cachingProvider', () => {
  it('reuses a token for 80% of its lifetime, then fetches another; concurrent callers share one fetch', async () => {
    let clock = 1_000_000;
    let fetched = 0;
    const provider = cachingProvider(async () => ({ value: `t${++fetched}`, expiresAt: clock + 100_000 }), () => clock);
    const [a, b] = await Promise.all([provider(), provider()]);
    expect([a.value, b.value, fetched]).toEqual(['t1', 't1', 1]);
    clock += 79_999;
    expect((await provider()).value).toBe('t1');
    clock += 1;
    expect((await provider()).value).toBe('t2');
  });

  it('does not remember a failure', async () => {
    let calls = 0;
    const provider = cachingProvider(async (): Promise<OAuthToken> => {
      if (++calls === 1) throw new UserError('endpoint down');
      return { value: 'ok', expiresAt: Date.now() + 60_000 };
    });
    await expect(provider()).rejects.toThrow('endpoint down');
    expect((await provider()).value).toBe('ok');
  });
});

describe('OIDC client credentials', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  async function endpoint(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => handle(req, body, res));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/oauth/token`;
  }

  const settings = (url: string, scope?: string): Extract<OAuthSettings, { method: 'oidc' }> => ({ method: 'oidc', tokenEndpointUrl: url, clientId: 'gamepipe', clientSecret: SECRET, scope });

  it('posts the grant with HTTP Basic client authentication and the scope; expires_in sets the expiry', async () => {
    const seen: Array<{ auth?: string; type?: string; body: string }> = [];
    const url = await endpoint((req, body, res) => {
      seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'tok-1', token_type: 'Bearer', expires_in: 300 }));
    });
    const before = Date.now();
    const token = await oidcClientCredentialsToken(settings(url, 'kafka'));
    expect(token.value).toBe('tok-1');
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 300_000);
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(seen).toEqual([{ auth: `Basic ${Buffer.from(`gamepipe:${SECRET}`).toString('base64')}`, type: 'application/x-www-form-urlencoded', body: 'grant_type=client_credentials&scope=kafka' }]);
  });

  it("takes the expiry from a JWT's exp when expires_in is missing", async () => {
    const exp = Math.floor(Date.now() / 1000) + 1234;
    const jwt = ['{"alg":"none"}', JSON.stringify({ sub: 'x', exp })].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.';
    const url = await endpoint((_req, _body, res) => res.end(JSON.stringify({ access_token: jwt })));
    expect((await oidcClientCredentialsToken(settings(url))).expiresAt).toBe(exp * 1000);
  });

  it('a refusal names the endpoint, the client and the OAuth error, never the secret', async () => {
    const url = await endpoint((_req, _body, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }));
    });
    const err = await oidcClientCredentialsToken(settings(`${url}?key=${SECRET}`)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/token refused client 'gamepipe': HTTP 401 \(invalid_client: bad secret \*\*\*\)/);
    expect((err as Error).message).not.toContain(SECRET);
    expect((err as Error).message).not.toContain('\n');
  });

  it('refuses an answer without a token, and one too large to be a token response', async () => {
    let big = false;
    const url = await endpoint((_req, _body, res) => res.end(big ? 'x'.repeat(300 * 1024) : '{"token_type":"Bearer"}'));
    await expect(oidcClientCredentialsToken(settings(url))).rejects.toThrow(/without an access_token/);
    big = true;
    await expect(oidcClientCredentialsToken(settings(url))).rejects.toThrow(/more than 262144 bytes/);
  });

  it('gives up on an endpoint that does not answer, and on one nobody listens on', async () => {
    const url = await endpoint(() => {});
    await expect(oidcClientCredentialsToken(settings(url), 200)).rejects.toThrow(/did not answer within 200 ms/);
    await expect(oidcClientCredentialsToken(settings(`http://127.0.0.1:${await freePort()}/token`))).rejects.toThrow(/cannot be reached \(ECONNREFUSED\)/);
  });

  it('one provider per settings object, shared by every caller', () => {
    const oidc = settings('http://127.0.0.1:1/token');
    expect(oauthTokenProvider(oidc)).toBe(oauthTokenProvider(oidc));
    expect(oauthTokenProvider(oidc)).not.toBe(oauthTokenProvider({ ...oidc }));
  });
});

describe('AWS MSK IAM tokens', () => {
  const KEY_ID = 'AKIDEXAMPLE0000000001';
  const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  /** The presigned URL inside the token, its query as a map, and the signature SigV4 gives for it. */
  function decode(token: string) {
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    const query = Object.fromEntries(url.searchParams);
    // SigV4 by hand (AWS's documented algorithm): the canonical request over the signed query
    // parameters and the host header, the empty payload's hash, then the derived key's HMAC.
    const signed = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent');
    const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonicalQuery = signed.map(([k, v]) => `${enc(k)}=${enc(v)}`).sort().join('&');
    const canonical = ['GET', '/', canonicalQuery, `host:${url.host}`, '', 'host', createHash('sha256').update('').digest('hex')].join('\n');
    const [, date, region, service] = /^[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(query['X-Amz-Credential']!)!;
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', query['X-Amz-Date'], scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${SECRET_KEY}`, date!), region!), service!), 'aws4_request');
    return { url, query, expected: hmac(key, toSign).toString('hex') };
  }

  it('signs a kafka-cluster:Connect URL for the region with the given credentials', async () => {
    const token = await mskIamToken('eu-west-1', async () => ({ accessKeyId: KEY_ID, secretAccessKey: SECRET_KEY }));
    const { url, query, expected } = decode(token.value);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://kafka.eu-west-1.amazonaws.com/');
    expect(query.Action).toBe('kafka-cluster:Connect');
    expect(query['X-Amz-Algorithm']).toBe('AWS4-HMAC-SHA256');
    expect(query['X-Amz-Credential']).toMatch(new RegExp(`^${KEY_ID}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`));
    expect(query['X-Amz-SignedHeaders']).toBe('host');
    expect(query['X-Amz-Expires']).toBe('900');
    expect(query['User-Agent']).toMatch(/^aws-msk-iam-sasl-signer-js\//);
    expect(query['X-Amz-Signature']).toBe(expected);
    expect(token.expiresAt).toBe(Date.parse(query['X-Amz-Date']!.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')) + 900_000);
    expect(Buffer.from(token.value, 'base64url').toString()).not.toContain(SECRET_KEY);
  });

  it('takes the credentials from the standard AWS chain (here the environment) and carries a session token', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_SESSION_TOKEN: 'session-token-1' });
    try {
      const token = await oauthTokenProvider({ method: 'aws_msk_iam', region: 'us-east-2' })();
      const { query, expected } = decode(token.value);
      expect(query['X-Amz-Credential']).toMatch(/\/us-east-2\/kafka-cluster\//);
      expect(query['X-Amz-Security-Token']).toBe('session-token-1');
      expect(query['X-Amz-Signature']).toBe(expected);
    } finally {
      process.env = saved;
    }
  });

  it('a failure to find credentials is one line naming the region', async () => {
    const err = await mskIamToken('us-east-1', async () => {
      throw new Error('Could not load credentials from any providers\nmore detail');
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('signing an AWS MSK IAM token for region us-east-1 failed: Could not load credentials from any providers');
  });
});
