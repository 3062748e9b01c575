import { hostname, networkInterfaces } from 'node:os';

// The console answers SQL over the tables, so a web page the user happens to visit must not reach
// it: not through DNS rebinding (a name of the attacker's that resolves to 127.0.0.1 arrives with
// that name as Host), nor by posting to it from another origin.

/** Headers on every answer: no framing, no type sniffing, scripts and styles from the console only. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The host names a request may carry in its Host header for a console listening on `listenHost`:
 * the loopback names, and the listen address itself; when listening on every address, also this
 * machine's name and its interfaces' addresses.
 */
export function allowedHostNames(listenHost: string): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '::1', listenHost.toLowerCase()]);
  if (WILDCARDS.has(listenHost)) {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const iface of list ?? []) names.add(iface.address.toLowerCase());
  }
  return names;
}

/** Splits a Host header (`name`, `name:port`, `[v6]:port`) into a lower-case name and a port. */
export function parseHost(header: string): { name: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  return { name: match[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Why a request must be refused, or undefined when it comes from the console's own address and page. */
export function refusedRequest(
  request: { method: string; host: string | undefined; origin: string | undefined; fetchSite: string | undefined },
  allowedNames: ReadonlySet<string>,
  port: number,
): string | undefined {
  const host = request.host === undefined ? undefined : parseHost(request.host);
  if (!host || !allowedNames.has(host.name) || (host.port ?? 80) !== port) {
    return `Host '${request.host ?? ''}' is not this console's address; open it as http://127.0.0.1:${port} or the --host it listens on`;
  }
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  if (request.fetchSite === 'cross-site') return 'cross-site requests are refused';
  if (request.origin !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(request.origin).host.toLowerCase();
    } catch {
      return `Origin '${request.origin}' is not this console's`;
    }
    if (originHost !== request.host!.trim().toLowerCase()) return `Origin '${request.origin}' is not this console's`;
  }
  return undefined;
}
