const DURATION_UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

const BYTE_UNITS: Record<string, number> = {
  b: 1, byte: 1, bytes: 1,
  kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

const AMOUNT = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/;

/** A regex source for JSON Schema: an amount followed by one of the unit names (any case). */
function amountPattern(units: Record<string, number>): string {
  const names = Object.keys(units).sort((a, b) => b.length - a.length).map((u) => u.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`));
  return `^\\s*\\d+(\\.\\d+)?\\s*(${names.join('|')})\\s*$`;
}

/** JSON Schema patterns matching what parseDuration and parseByteSize accept. */
export const DURATION_PATTERN = amountPattern(DURATION_UNITS);
export const BYTE_SIZE_PATTERN = amountPattern(BYTE_UNITS);

/** Milliseconds of "10 seconds", "10s", "500ms", "1 minute"; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = AMOUNT.exec(text);
  const unit = m && DURATION_UNITS[m[2].toLowerCase()];
  if (!m || !unit) return undefined;
  const ms = Number(m[1]) * unit;
  return Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

/** Bytes of a whole number or of "64 MiB", "512 KiB", "1 GB"; undefined when it is not a size. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = AMOUNT.exec(value);
  const unit = m && BYTE_UNITS[m[2].toLowerCase()];
  if (!m || !unit) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? Math.round(bytes) : undefined;
}
