import pino from 'pino';
import type { Logger } from '../logger.js';

/** Writes each line of `text` with a `[name]` prefix, so the output of the parts stays readable. */
export function prefixed(name: string, text: string, write = (s: string) => process.stdout.write(s)): void {
  for (const line of text.replace(/\n$/, '').split('\n')) write(`[${name}] ${line}\n`);
}

const LEVELS: Record<number, string> = { 40: 'warn ', 50: 'error ', 60: 'fatal ' };

/** One runtime log record as a short readable line: time, level when not info, message, fields. */
export function readableLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const { level, time, msg, ...fields } = record;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const parts = Object.entries(fields).map(([k, v]) => {
    // File lists are long absolute paths; the count says what matters in a console line.
    if (Array.isArray(v) && k === 'files') return `files=${v.length}`;
    return `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
  });
  return `${clock} ${LEVELS[level as number] ?? ''}${String(msg ?? '')}${parts.length ? `  ${parts.join(' ')}` : ''}`;
}

/** A runtime logger whose records print as readable `[name]` lines instead of JSON. */
export function prefixedLogger(name: string, write = (s: string) => process.stdout.write(s)): Logger {
  return pino(
    { base: undefined, timestamp: pino.stdTimeFunctions.isoTime, level: process.env.GAMEPIPE_LOG_LEVEL ?? 'info' },
    { write: (line: string) => prefixed(name, readableLogLine(line), write) },
  );
}
