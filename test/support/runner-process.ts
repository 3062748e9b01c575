import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const RUN_BIN = join(import.meta.dirname, '../../bin/gamepipe-run.js');

/** Runs `gamepipe-run --once <paths>` in `cwd` to completion; returns its exit code and output. */
export async function runOnce(cwd: string, ...paths: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runOnceWith({}, cwd, ...paths);
}

/** `runOnce` with extra environment variables (say, a GAMEPIPE_HOME of its own). */
export async function runOnceWith(env: NodeJS.ProcessEnv, cwd: string, ...paths: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', [RUN_BIN, '--once', ...paths], { cwd, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Runners still alive when the test process exits (a test that timed out never reached its
// `finally`) are killed with it, so no test leaves a runner behind.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A `gamepipe-run` child running in streaming mode, with its log lines parsed as they come. */
export class RunnerProcess {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, paths: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn('node', [RUN_BIN, ...paths], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line));
        } catch {
          /* not a log line */
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    live.add(this.child);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        live.delete(this.child);
        resolve(code);
      }),
    );
  }

  /** Resolves when a log line matching `predicate` has appeared (or rejects after `timeoutMs`). */
  async waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.logs.find(predicate);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`);
  }

  /**
   * Sends `signal` and waits for the process to exit; returns its exit code. A process still
   * alive after `timeoutMs` is killed and the call throws, so a hang fails clearly, not as a timeout.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs)));
    const outcome = await Promise.race([this.exited, hung]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`gamepipe-run did not exit within ${timeoutMs} ms of ${signal}; stderr: ${this.stderr.slice(-2000)}`);
    }
    return outcome;
  }
}

/** Polls `check` until it returns true, or throws after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
