import { execFile } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');

/** Runs `gamepipe <args>` as a child process in `cwd`; resolves with its exit code and output. */
export function gamepipe(cwd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}

/** Runs `gamepipe query --json <sql>` and returns the rows; throws with stderr when it fails. */
export async function queryJson(cwd: string, jobsDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const { code, stdout, stderr } = await gamepipe(cwd, ['query', '--jobs', jobsDir, '--json', sql]);
  if (code !== 0) throw new Error(`gamepipe query failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as Record<string, unknown>[];
}

/**
 * Runs `gamepipe kafka <args>` for a broker of the test's own: its home folder and port, without
 * the suite's broker list or client settings from the environment.
 */
export function gamepipeKafka(home: string, port: number, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, GAMEPIPE_HOME: home, GAMEPIPE_KAFKA_PORT: String(port) };
  delete env.KAFKA_BROKERS;
  delete env.KAFKA_CONFIG_FILE;
  return gamepipe(process.cwd(), ['kafka', ...args], { env, timeoutMs: 600_000 });
}
