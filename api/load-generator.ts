// Replays a scenario against a running API with N requests in flight, counting outcomes per route.
import { HttpClient } from './http-client.js';
import type { ScenarioLine } from './scenario.js';

/** Outcomes of one route: 2xx answers, and the rest by status (`network` for no answer). */
export interface RouteTally {
  ok: number;
  failed: Record<string, number>;
}

/** The outcome of a replay: per route, in first-seen order. */
export interface ReplayResult {
  routes: Map<string, RouteTally>;
  total: number;
  failed: number;
}

/** Sends every request of `lines` to `baseUrl`, `concurrency` at a time; `onProgress(done)` after each. */
export async function replay(
  baseUrl: string,
  lines: ScenarioLine[],
  concurrency: number,
  onProgress: (done: number) => void = () => {},
): Promise<ReplayResult> {
  const client = new HttpClient(baseUrl, concurrency);
  const routes = new Map<string, RouteTally>();
  for (const line of lines) if (!routes.has(line.route)) routes.set(line.route, { ok: 0, failed: {} });
  let lineIndex = 0;
  let sentOfLine = 0;
  let done = 0;
  let failed = 0;

  // Hands out the scenario's requests in file order to whichever worker is free.
  const next = (): ScenarioLine | undefined => {
    while (lineIndex < lines.length && sentOfLine >= lines[lineIndex].count) {
      lineIndex++;
      sentOfLine = 0;
    }
    if (lineIndex >= lines.length) return undefined;
    sentOfLine++;
    return lines[lineIndex];
  };

  const worker = async () => {
    for (let line = next(); line; line = next()) {
      const tally = routes.get(line.route)!;
      const status = await client
        .send({ method: line.method, path: line.route, headers: { Host: line.host } })
        .then((res) => res.status, () => 'network');
      if (typeof status === 'number' && status >= 200 && status < 300) {
        tally.ok++;
      } else {
        tally.failed[status] = (tally.failed[status] ?? 0) + 1;
        failed++;
      }
      onProgress(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    client.close();
  }
  return { routes, total: done, failed };
}

/** The per-route table `gamepipe generate` prints. */
export function formatTally(result: ReplayResult): string {
  const width = Math.max(5, ...[...result.routes.keys()].map((r) => r.length));
  const rows = [...result.routes].map(([route, t]) => {
    const failures = Object.entries(t.failed).map(([status, n]) => `${n}x ${status}`).join(', ');
    return `${route.padEnd(width)}  ${String(t.ok).padStart(8)} ok${failures ? `  failed: ${failures}` : ''}`;
  });
  const ok = result.total - result.failed;
  return [...rows, `${'total'.padEnd(width)}  ${String(ok).padStart(8)} ok of ${result.total}`].join('\n');
}
