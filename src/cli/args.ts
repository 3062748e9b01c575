import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../user-error.js';

/** parseArgs with strict checking whose failures become one-line usage errors (exit 2). */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserError(message, 2);
  }
}

/** Reads a numeric flag, rejecting anything that is not a whole number in range. */
export function intFlag(value: string | undefined, name: string, fallback: number, min = 0, max = 65535): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`, 2);
  }
  return n;
}
