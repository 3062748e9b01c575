// A minimal keep-alive HTTP/1.1 client on node:http. fetch() refuses to set the Host header, and
// scenarios replay requests "from" many hosts, so the load generator and the tests use this.
import { Agent, request } from 'node:http';

/** One request: method, path (with query string), headers, optional body (text, or raw bytes). */
export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The status and body text of a response. */
export interface HttpResponse {
  status: number;
  body: string;
}

/** A client for one base URL that keeps up to `maxSockets` connections open. */
export class HttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets = 64) {
    this.base = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Sends one request; rejects only on network errors (any HTTP status resolves). */
  send(req: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const out = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method: req.method ?? 'GET',
          path: req.path,
          headers: req.body === undefined ? req.headers : { 'Content-Type': 'application/json', ...req.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(req.body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
