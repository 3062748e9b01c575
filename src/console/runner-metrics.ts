/** Per job, what the runner's Prometheus /metrics adds to /status: batch timings. */
interface RunnerJobMetrics {
  batchAvgMs: number | undefined;
}

const SAMPLE = /^(\w+)\{([^}]*)\} (\S+)$/;

/** Reads the runner's /metrics; an empty map when no runner answers. */
export async function fetchRunnerMetrics(metricsUrl: string): Promise<Map<string, RunnerJobMetrics>> {
  const text = await fetch(`${metricsUrl.replace(/\/$/, '')}/metrics`, { signal: AbortSignal.timeout(2000) })
    .then((res) => (res.ok ? res.text() : ''))
    .catch(() => '');
  return jobMetrics(text);
}

/** The per-job figures in a Prometheus text exposition. */
function jobMetrics(text: string): Map<string, RunnerJobMetrics> {
  const sums = new Map<string, Record<string, number>>();
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    const job = match && /(?:^|,)job="([^"]*)"/.exec(match[2]!)?.[1];
    if (!match || job === undefined || job === null) continue;
    const figures = sums.get(job) ?? {};
    figures[match[1]!] = (figures[match[1]!] ?? 0) + Number(match[3]);
    sums.set(job, figures);
  }
  const out = new Map<string, RunnerJobMetrics>();
  for (const [job, f] of sums) {
    const count = f.gamepipe_batch_duration_seconds_count ?? 0;
    out.set(job, {
      batchAvgMs: count ? ((f.gamepipe_batch_duration_seconds_sum ?? 0) * 1000) / count : undefined,
    });
  }
  return out;
}
