// Apache Bench (`ab`, Debian package apache2-utils): finding or installing it, running it, reading its figures.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The figures of one ab run. */
export interface AbRun {
  complete: number;
  failed: number;
  non2xx: number;
  requestsPerSecond: number;
  p99Ms: number;
}

function hasAb(): boolean {
  try {
    execFileSync('ab', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure `ab` is on PATH, installing apache2-utils with apt-get when running as root. */
export function ensureAb(): void {
  if (hasAb()) return;
  if (process.getuid?.() !== 0) throw new Error('ab is missing: install the Debian package apache2-utils (needs root)');
  console.error('ab is missing: apt-get update && apt-get install -y apache2-utils');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'apache2-utils'], { stdio: 'inherit' });
  if (!hasAb()) throw new Error('apache2-utils installed but ab is still not on PATH');
}

/** Runs `ab -k` (keep-alive) with `concurrency` connections for `requests` requests against `url`. */
export async function runAb(url: string, requests: number, concurrency: number): Promise<AbRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gamepipe-ab-'));
  const csv = join(dir, 'percentiles.csv');
  try {
    const child = spawn('ab', ['-k', '-q', '-c', String(concurrency), '-n', String(requests), '-e', csv, '-H', 'Accept-Language: en', url]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`ab exited ${code}:\n${out}`);
    const field = (label: string, fallback?: number) => {
      const m = new RegExp(`^${label}:\\s+([0-9.]+)`, 'm').exec(out);
      if (m) return Number(m[1]);
      if (fallback !== undefined) return fallback;
      throw new Error(`ab printed no '${label}':\n${out}`);
    };
    // -e writes one "percent,milliseconds" row per percentile, with sub-millisecond resolution.
    const p99Row = readFileSync(csv, 'utf8').split('\n').find((l) => l.startsWith('99,'));
    if (!p99Row) throw new Error(`ab wrote no 99th percentile to ${csv}`);
    return {
      complete: field('Complete requests'),
      failed: field('Failed requests'),
      non2xx: field('Non-2xx responses', 0),
      requestsPerSecond: field('Requests per second'),
      p99Ms: Number(p99Row.split(',')[1]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
