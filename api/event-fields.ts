// The fields every event carries besides its parameters: identity, time and a whitelist of headers.

/** Request headers copied into events, under these exact names. Nothing else is ever copied. */
export const COPIED_HEADERS = ['Host', 'User-Agent', 'Accept', 'Accept-Language', 'X-Forwarded-For'] as const;

// Node gives header names lower-cased; pairs of (incoming name, event field name).
const HEADER_PAIRS = COPIED_HEADERS.map((name) => [name.toLowerCase(), name] as const);

const RESERVED = new Set(['event_type', 'event_id', 'event_ts', ...COPIED_HEADERS].map((n) => n.toLowerCase()));

/**
 * The longest header value copied whole. Parameters are capped at 256 characters and refused past
 * that; a header is the client's own, so it is kept but cut, with a marker saying how much went.
 */
export const MAX_HEADER_LENGTH = 1024;

/** Node's incoming header map: lower-case names, a string (or string[] for a few repeated ones). */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** Copies the whitelisted request headers into `event`, each cut to MAX_HEADER_LENGTH (Cookie, Authorization and the rest never). */
export function copyHeaders(headers: IncomingHeaders, event: Record<string, string>): void {
  for (const [incoming, field] of HEADER_PAIRS) {
    const value = headers[incoming];
    if (value === undefined) continue;
    event[field] = capHeader(Array.isArray(value) ? value.join(', ') : value);
  }
}

// Node reads header bytes as latin1, so cutting at any index never splits a surrogate pair.
function capHeader(value: string): string {
  if (value.length <= MAX_HEADER_LENGTH) return value;
  return `${value.slice(0, MAX_HEADER_LENGTH)}…[cut ${value.length - MAX_HEADER_LENGTH} chars]`;
}

/** True when a parameter may not use `name`: it would overwrite an identity field or a copied header. */
export function isReservedField(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** True for a plain field name: letters, digits and _, at most 64, not starting with a digit. */
export function isPlainFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}
