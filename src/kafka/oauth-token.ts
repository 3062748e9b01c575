/**
 * OAUTHBEARER tokens: from an OIDC token endpoint (client credentials grant) or, for Amazon MSK,
 * signed with the standard AWS credentials by AWS's own signer. One provider per settings object
 * for the whole process, shared by every connection (our fetch connections and the clients'
 * `token` providers): a token is fetched once and reused until shortly before it expires.
 *
 * No error from here contains the client secret, the AWS keys or a token.
 */
import type { OAuthSettings, OAuthToken } from './connection-settings.js';
import { UserError } from '../user-error.js';

export type OAuthTokenProvider = () => Promise<OAuthToken>;

/** A token endpoint that has not answered by then has failed. */
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;
/** Token responses are small JSON documents; a larger answer is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;
/** A token is used for this share of its lifetime, then replaced (Kafka's Java client refreshes at the same point). */
const REFRESH_AT_LIFETIME = 0.8;
/** The lifetime assumed for a token that states none (no expires_in, no JWT exp). */
const UNSTATED_LIFETIME_MS = 5 * 60_000;

const providers = new WeakMap<OAuthSettings, OAuthTokenProvider>();

/** The process's token provider for `settings` (the same function for the same settings object). */
export function oauthTokenProvider(settings: OAuthSettings): OAuthTokenProvider {
  let provider = providers.get(settings);
  if (!provider) {
    provider = cachingProvider(settings.method === 'oidc' ? () => oidcClientCredentialsToken(settings) : () => mskIamToken(settings.region));
    providers.set(settings, provider);
  }
  return provider;
}

/**
 * Reuses a token until REFRESH_AT_LIFETIME of its lifetime has passed; callers asking while one is
 * being fetched share that fetch. A failed fetch is not remembered: the next call tries again.
 */
export function cachingProvider(fetchToken: () => Promise<OAuthToken>, now: () => number = Date.now): OAuthTokenProvider {
  let cached: { token: OAuthToken; refreshAt: number } | undefined;
  let pending: Promise<OAuthToken> | undefined;
  return () => {
    if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
    pending ??= fetchToken().then(
      (token) => {
        const obtainedAt = now();
        cached = { token, refreshAt: obtainedAt + Math.max(0, token.expiresAt - obtainedAt) * REFRESH_AT_LIFETIME };
        pending = undefined;
        return token;
      },
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    );
    return pending;
  };
}

type OidcSettings = Extract<OAuthSettings, { method: 'oidc' }>;

/**
 * RFC 6749 section 4.4: POST grant_type=client_credentials (and the scope) to the token endpoint,
 * the client authenticated with HTTP Basic as Kafka's Java client does it (id and secret not
 * URL-encoded). Bounded in time and in bytes read.
 */
export async function oidcClientCredentialsToken(settings: OidcSettings, timeoutMs = TOKEN_REQUEST_TIMEOUT_MS): Promise<OAuthToken> {
  const where = `the OAUTHBEARER token endpoint ${redactUrl(settings.tokenEndpointUrl)}`;
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (settings.scope) form.set('scope', settings.scope);
  const hide = (text: string) => (settings.clientSecret ? text.split(settings.clientSecret).join('***') : text);
  let response: Response;
  try {
    response = await fetch(settings.tokenEndpointUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`, 'utf8').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs} ms` : `cannot be reached (${cause?.code ?? cause?.message ?? (err as Error).message})`;
    throw new UserError(hide(`${where} ${why}`));
  }
  const text = await boundedText(response, where, timeoutMs);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Answered below by what the status says.
  }
  if (!response.ok) {
    // RFC 6749 section 5.2: `error` and `error_description` say why.
    const reason = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : 'no OAuth error in the answer';
    throw new UserError(hide(`${where} refused client '${settings.clientId}': HTTP ${response.status} (${reason})`));
  }
  const token = body.access_token;
  if (typeof token !== 'string' || token.length === 0) throw new UserError(`${where} answered HTTP ${response.status} without an access_token`);
  return { value: token, expiresAt: tokenExpiry(token, body.expires_in) };
}

/** The response's body as text, refusing more than MAX_TOKEN_RESPONSE_BYTES. */
async function boundedText(response: Response, where: string, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!response.body) return '';
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_TOKEN_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw new UserError(`${where} answered with more than ${MAX_TOKEN_RESPONSE_BYTES} bytes: no token response is that large`);
      }
      chunks.push(Buffer.from(value));
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${where} broke off its answer (${(err as Error).name === 'TimeoutError' ? `not done within ${timeoutMs} ms` : (err as Error).message})`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** When the token expires: from expires_in (seconds), else its JWT `exp`, else UNSTATED_LIFETIME_MS from now. */
function tokenExpiry(token: string, expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) return Date.now() + seconds * 1000;
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
      if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
    } catch {
      // Not a JWT: an opaque token.
    }
  }
  return Date.now() + UNSTATED_LIFETIME_MS;
}

/** A URL for messages: no user info, no query (either may hold a secret). */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'URL';
  }
}

/** Explicit AWS credentials, for callers (and tests) that do not use the standard chain. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/**
 * An MSK IAM token: a presigned `kafka-cluster:Connect` URL, base64url-encoded, signed by
 * aws-msk-iam-sasl-signer-js with the standard AWS credential chain (environment, shared files,
 * SSO, web identity, container and instance roles) or with `credentials` when given.
 */
export async function mskIamToken(region: string, credentials?: () => Promise<AwsCredentials>): Promise<OAuthToken> {
  // Loaded on first use: the AWS SDK's credential chain is large, and only MSK IAM needs it.
  const signer = await import('aws-msk-iam-sasl-signer-js');
  try {
    const { token, expiryTime } = credentials
      ? await signer.generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: credentials })
      : await signer.generateAuthToken({ region });
    return { value: token, expiresAt: expiryTime };
  } catch (err) {
    // The SDK's messages name the providers it tried, never the keys.
    throw new UserError(`signing an AWS MSK IAM token for region ${region} failed: ${(err as Error).message.split('\n')[0]}`);
  }
}
