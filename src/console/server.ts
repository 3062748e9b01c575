import Fastify, { type FastifyError } from 'fastify';
import { UserError } from '../user-error.js';
import { CatalogKeeper } from './catalog-keeper.js';
import { listJobs, rejectedRows, sampleRates, type JobSources } from './jobs-api.js';
import { LagAdmin } from '../kafka/lag-admin.js';
import { ConsoleQueries } from './console-queries.js';
import { ConsoleQueryError } from './query-guard.js';
import { listedTables, sqlOfBody } from './query-api.js';
import { RateHistory } from './rate-history.js';
import { allowedHostNames, refusedRequest, SECURITY_HEADERS } from './request-origin.js';
import { listTables } from './tables-api.js';
import { DEFAULT_METRICS_URL } from '../status/runner-status.js';
import { buildWebBundle, INDEX_HTML } from './web-bundle.js';

/** How to run the console; everything but the job paths has a default. */
export interface ConsoleOptions {
  paths: string[];
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the console answers SQL, so it is not opened wider unless asked. */
  host?: string;
  /** The runner's /status and /metrics; default DEFAULT_METRICS_URL. */
  metricsUrl?: string;
  /** How often rows per second are sampled; default 5000 ms. */
  sampleMs?: number;
  /** Most rows a query returns; default 10,000. */
  rowLimit?: number;
  /** Most bytes of rows (JSON or CSV) a query returns; default 16 MiB. */
  byteLimit?: number;
  /** Longest a query runs, its rows' conversion included; default 10,000 ms. */
  timeoutMs?: number;
  /** Queries that may wait behind the running one before a 429; default 4. */
  queueLimit?: number;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_CONSOLE_PORT = 8080;

/** Builds the front end, then serves it and its JSON API. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_CONSOLE_PORT;
  const limits = { rowLimit: options.rowLimit ?? 10_000, byteLimit: options.byteLimit ?? 16 * 1024 * 1024, timeoutMs: options.timeoutMs ?? 10_000 };
  const bundle = await buildWebBundle();
  const sources: JobSources = {
    paths: options.paths,
    metricsUrl: options.metricsUrl ?? DEFAULT_METRICS_URL,
    // The page's own figures and the analyst's SQL get a catalog each, so a slow query never holds up the job list.
    keeper: new CatalogKeeper({ lockdown: true }),
    admin: new LagAdmin(),
    rates: new RateHistory(),
  };
  // Analysts' SQL runs in a process of its own, never in the console's.
  const queries = new ConsoleQueries({ limits, queueLimit: options.queueLimit ?? 4 });

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof ConsoleQueryError) {
      if (err.retryAfterSeconds !== undefined) void reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(err.status).send({ error: err.message });
    }
    // Fastify's own 4xx (malformed JSON, wrong content type, body too large) keep their status.
    const status = err.statusCode && err.statusCode < 500 ? err.statusCode : err instanceof UserError ? 400 : 500;
    return reply.code(status).send({ error: firstLine(status === 500 ? `internal error: ${err.message}` : err.message) });
  });
  // Filled in once listening: with --port 0 the port is known only then.
  let listenPort = port;
  const hostNames = allowedHostNames(host);
  app.addHook('onRequest', async (req, reply) => {
    void reply.headers(SECURITY_HEADERS);
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const why = refusedRequest({ method: req.method, host: header('host'), origin: header('origin'), fetchSite: header('sec-fetch-site') }, hostNames, listenPort);
    if (why) return reply.code(403).send({ error: why });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: `no such route: ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(INDEX_HTML));
  app.get('/app.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(bundle.js));
  app.get('/app.css', (_req, reply) => reply.type('text/css; charset=utf-8').send(bundle.css));
  app.get('/api/jobs', () => listJobs(sources));
  app.get<{ Params: { job: string } }>('/api/jobs/:job/rejected', async (req, reply) => {
    const rows = await rejectedRows(sources, req.params.job);
    return rows ?? reply.code(404).send({ error: `no job named '${req.params.job}'` });
  });
  app.get('/api/tables', () => listTables(options.paths, sources.keeper));
  app.post('/api/query', async (req, reply) => {
    const answer = await queries.run(sqlOfBody(req.body), 'json', () => listedTables(options.paths));
    return reply.type('application/json; charset=utf-8').send(answer);
  });
  app.post('/api/query.csv', async (req, reply) => {
    const csv = await queries.run(sqlOfBody(req.body), 'csv', () => listedTables(options.paths));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="query.csv"').send(csv);
  });

  try {
    await app.listen({ port, host });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UserError(e.code === 'EADDRINUSE' ? `console port ${port} on ${host} is already in use; choose another with --port N` : `cannot listen on ${host}:${port}: ${e.message}`);
  }
  const sampler = startSampling(sources, options.sampleMs ?? 5000);
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  listenPort = actualPort;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    async close() {
      await sampler.stop();
      await app.close();
      await Promise.all([sources.keeper.close(), queries.close(), sources.admin.close()]);
    },
  };
}

/** Samples rows per second every `everyMs`, one round at a time, until stopped. */
function startSampling(sources: JobSources, everyMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    // A round that fails (a job file half-written, the disk busy) is only a missing chart point.
    round = sampleRates(sources).catch(() => {}).then(() => {
      if (!stopped) timer = setTimeout(tick, everyMs);
    });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
