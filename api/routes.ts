// The HTTP face of the API: one fastify route per catalog entry, /healthz, and JSON for every error.
import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Catalog, RouteSpec } from './catalog.js';
import { buildEvent, type ValidationError } from './event-builder.js';
import { NotAcknowledged } from '../src/kafka/acked-producer.js';
import { bodyUtf8Refusal, pathRefusal, queryRefusal } from './request-encoding.js';

/** What the routes need from the rest of the server. */
export interface RouteDeps {
  catalog: Catalog;
  /** Resolves once the broker acknowledged the event; rejects with NotAcknowledged otherwise. */
  publish(key: string, value: string): Promise<void>;
  /** True when the broker answers now. */
  brokerReachable(): Promise<boolean>;
  bodyLimit: number;
}

const REFUSED = {
  type: 'object',
  properties: { error: { type: 'string' }, parameter: { type: 'string' }, rule: { type: 'string' } },
} as const;
// Declared response shapes let fastify serialise with a compiled stringifier.
const RESPONSES = {
  200: {
    type: 'object',
    properties: { message: { type: 'string' }, event_type: { type: 'string' }, event_id: { type: 'string' } },
  },
  400: REFUSED,
  503: REFUSED,
} as const;

/** A request refused before its handler runs; the error handler answers `statusCode` with `refusal`. */
class Refused extends Error {
  constructor(
    readonly statusCode: number,
    readonly refusal: ValidationError,
  ) {
    super(refusal.error);
  }
}

/** Registers the catalog routes (GET and POST), /healthz and the JSON error and 404 handlers. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  // fastify's own JSON parser decodes leniently, storing bytes that are not UTF-8 as U+FFFD; decode
  // strictly first, then hand the text to that parser (it keeps refusing __proto__ and constructor).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new Refused(400, bodyUtf8Refusal(body as Buffer)), undefined);
    }
    void parseJson(req, text, done);
  });

  for (const route of deps.catalog.routes) {
    app.route({
      method: ['GET', 'POST'],
      url: route.path,
      schema: { response: RESPONSES },
      onRequest: refuseContentEncoding,
      handler: async (req, reply) => {
        // fastify's query parser keeps a broken escape as it came and decodes bad UTF-8 leniently.
        const badQuery = queryRefusal(rawQuery(req.url));
        if (badQuery) return reply.code(400).send(badQuery);
        const built = buildEvent(
          route,
          {
            pathParams: req.params as Record<string, string>,
            query: req.query as Record<string, unknown>,
            body: req.body,
            headers: req.headers,
          },
          randomUUID(),
          new Date().toISOString(),
        );
        if (!built.ok) return reply.code(400).send(built.error);
        const { event } = built;
        try {
          await deps.publish(event.event_id, JSON.stringify(event));
        } catch (err) {
          if (!(err instanceof NotAcknowledged)) throw err;
          // A broker that went silent mid-send may have written the event (a frozen broker did, in
          // test/api/broker-restart.test.ts): the body then says so instead of "not recorded".
          const error = err.fateUnknown
            ? `event may or may not have been recorded: ${err.message}; a retry may record it twice`
            : `event not recorded: ${err.message}; retry later`;
          return reply.code(503).send({ error });
        }
        return { message: built.says, event_type: event.event_type, event_id: event.event_id };
      },
    });
  }

  app.get('/healthz', async (_req, reply) => {
    const up = await deps.brokerReachable();
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'kafka unreachable', kafka: up });
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) req.log.error(err);
    void reply.code(status).send(describeError(err, status, deps.bodyLimit));
  });
}

const INTERNAL = { error: 'internal error; the event was not recorded' };

// The errors fastify raises before a handler runs, in the same {error, parameter, rule} shape.
function describeError(err: FastifyError, status: number, bodyLimit: number): Record<string, string> {
  if (err instanceof Refused) return { ...err.refusal };
  const body = (rule: string, error: string) => ({ error, parameter: '(body)', rule });
  if (status === 413) return body('max_body_bytes', `request body is larger than ${bodyLimit} bytes`);
  if (status === 415) return body('content_type', 'unsupported Content-Type; send application/json or no body');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return body('json', 'Content-Type is application/json but the body is empty');
  if (status === 400 && (err.code?.startsWith('FST_ERR_CTP') || err instanceof SyntaxError)) {
    return body('json', 'body is not valid JSON');
  }
  if (status >= 500) return INTERNAL;
  // Any other 4xx keeps the documented shape, too.
  return { error: err.message, parameter: '(request)', rule: 'request' };
}

/**
 * fastify's `frameworkErrors`: the router could not decode the URL (FST_ERR_BAD_URL) or a path
 * segment is longer than it takes (FST_ERR_MAX_PARAM_LENGTH). Both are a 400 naming the parameter.
 */
export function answerUndecodableUrl(routes: readonly RouteSpec[]) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const known = err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH';
    void (known ? reply.code(400).send(pathRefusal(routes, req.url)) : reply.code(500).send(INTERNAL));
  };
}

/**
 * fastify's `clientErrorHandler`: what node's HTTP parser refuses before any request exists (headers
 * over node's limit, a malformed request), answered in the same shape; the connection then closes.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, refusal] = clientRefusal(err);
  const body = JSON.stringify(refusal);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  // As node and fastify do: the parser cannot go on with this connection.
  socket.destroy(err);
}

function clientRefusal(err: NodeJS.ErrnoException): [number, ValidationError] {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return [431, { error: `request headers are larger than ${maxHeaderSize} bytes`, parameter: '(headers)', rule: 'max_header_bytes' }];
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, { error: 'the request did not arrive in time', parameter: '(request)', rule: 'timeout' }];
  }
  return [400, { error: `malformed HTTP request (${err.code ?? err.message})`, parameter: '(request)', rule: 'http' }];
}

// Nothing decompresses request bodies: a gzip body would be parsed as garbage, and inflating one
// would let a small request grow into a large one (a decompression bomb). So only identity passes.
async function refuseContentEncoding(req: FastifyRequest): Promise<void> {
  const encoding = req.headers['content-encoding'];
  if (encoding === undefined || encoding.trim().toLowerCase() === 'identity') return;
  throw new Refused(415, {
    error: `Content-Encoding '${encoding}' is not accepted; send the body uncompressed (identity)`,
    parameter: '(body)',
    rule: 'content_encoding',
  });
}

// The query string as the router splits it off the URL (at the first '?' or '#').
function rawQuery(url: string): string {
  const at = url.search(/[?#]/);
  return at < 0 ? '' : url.slice(at + 1);
}
