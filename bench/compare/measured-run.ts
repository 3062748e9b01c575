// Runs one contender's command and measures it: wall time, peak RSS summed over all its processes
// (sampled from /proc every 100 ms), and exact CPU seconds of every process it started (the
// subreaper launcher's getrusage). Bounded by a timeout; the tree is killed by pid when it expires.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, rssBytes } from './proc-tree.js';

const LAUNCHER = fileURLToPath(new URL('./rusage_launcher.py', import.meta.url));
const SAMPLE_MS = 100;
const TAIL_CHARS = 4000;
const ERROR_LINE = /"level":\s*(50|60)|\bERROR\b|Exception|Traceback|\bfailed\b/;
const MAX_ERROR_LINES = 5;

/** What to run. */
export interface RunCommand {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Wall-clock bound in ms; the process tree is killed when it passes. */
  timeoutMs: number;
  /** Called with each stdout line as it arrives (milestones like Spark's `BENCH {...}`). */
  onLine?: (line: string, elapsedMs: number) => void;
  /** Discard stdout (kcat writes the whole topic there). */
  discardStdout?: boolean;
}

/** What a measured run saw. */
export interface RunMeasurement {
  wallSeconds: number;
  peakRssBytes: number;
  /** utime + stime of every process of the contender, or null when the launcher could not report. */
  cpuSeconds: number | null;
  exitCode: number | null;
  timedOut: boolean;
  stdoutTail: string;
  stderrTail: string;
  /** The first lines (stdout or stderr) that look like errors, to say why a run went wrong. */
  errorLines: string[];
}

/** A running measured process: `stop()` sends SIGTERM (streaming mode), `done` resolves at exit. */
export interface MeasuredProcess {
  readonly pid: number;
  readonly startedAt: number;
  stop(): void;
  /** Error-looking lines seen so far (see RunMeasurement.errorLines). */
  readonly errorLines: readonly string[];
  /** SIGKILLs the whole process tree. */
  kill(): void;
  done: Promise<RunMeasurement>;
}

/** SIGKILLs the live descendants of `root`, then `root`: only processes this run started. */
function killTree(root: number): void {
  // Children first, while the launcher still holds them, so none is re-parented away unseen.
  for (const pid of [...descendants(root), root]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Starts `run` under the rusage launcher and samples its process tree until it exits. */
export function startMeasured(run: RunCommand): MeasuredProcess {
  const scratch = mkdtempSync(join(tmpdir(), 'gamepipe-bench-'));
  const report = join(scratch, 'rusage.json');
  const startedAt = performance.now();
  const child = spawn('python3', [LAUNCHER, report, run.command, ...run.args], {
    cwd: run.cwd,
    env: run.env ?? process.env,
    stdio: ['ignore', run.discardStdout ? 'ignore' : 'pipe', 'pipe'],
  });
  const pid = child.pid ?? -1;
  let peak = 0;
  let timedOut = false;
  let stdoutTail = '';
  let stderrTail = '';
  let partial = '';
  const errorLines: string[] = [];
  const scan = (text: string) => {
    for (const line of text.split('\n')) {
      if (errorLines.length < MAX_ERROR_LINES && ERROR_LINE.test(line)) errorLines.push(line.slice(0, 400));
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdoutTail = (stdoutTail + chunk).slice(-TAIL_CHARS);
    scan(chunk);
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) run.onLine?.(line, performance.now() - startedAt);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-TAIL_CHARS);
    scan(chunk);
  });
  const sampler = setInterval(() => {
    // The launcher itself is not the contender: only its descendants count.
    let sum = 0;
    for (const p of descendants(pid)) sum += rssBytes(p);
    peak = Math.max(peak, sum);
  }, SAMPLE_MS);
  const timer = setTimeout(() => {
    timedOut = true;
    killTree(pid);
  }, run.timeoutMs);
  const done = new Promise<RunMeasurement>((resolve) => {
    const finish = (code: number | null) => {
      const wallSeconds = (performance.now() - startedAt) / 1000;
      clearInterval(sampler);
      clearTimeout(timer);
      let cpuSeconds: number | null = null;
      let exitCode = code;
      if (existsSync(report)) {
        const r = JSON.parse(readFileSync(report, 'utf8')) as { user: number; sys: number; code: number | null };
        cpuSeconds = r.user + r.sys;
        exitCode = r.code;
      }
      rmSync(scratch, { recursive: true, force: true });
      resolve({ wallSeconds, peakRssBytes: peak, cpuSeconds, exitCode, timedOut, stdoutTail, stderrTail, errorLines });
    };
    child.on('error', (err) => {
      stderrTail += `\n${err.message}`;
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
  return {
    pid,
    startedAt,
    stop: () => {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    },
    errorLines,
    kill: () => killTree(pid),
    done,
  };
}

/** Runs `run` to completion and returns its measurement. */
export function runMeasured(run: RunCommand): Promise<RunMeasurement> {
  return startMeasured(run).done;
}
