// The game API stamps events with `Date.prototype.toISOString()` text, "2026-11-22T15:00:00.123Z".
// Every event of every job coerces one, so that one shape is read by hand; Date.parse (behind a
// numeric check and a regex in coerceTimestamp) cost several times more per value.

const ISO_UTC_MS_LENGTH = 24; // YYYY-MM-DDTHH:MM:SS.sssZ

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Epoch milliseconds of `YYYY-MM-DDTHH:MM:SS.sssZ`, exactly as Date.parse reads it, or undefined
 * for any other text (the caller then asks Date.parse). Days past the 28th, hour 24 and years
 * below 100 are left to Date.parse too, so no calendar rule is repeated here.
 */
export function parseIsoUtcMillis(s: string): number | undefined {
  if (
    s.length !== ISO_UTC_MS_LENGTH ||
    s.charCodeAt(4) !== 45 || // -
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 || // T
    s.charCodeAt(13) !== 58 || // :
    s.charCodeAt(16) !== 58 ||
    s.charCodeAt(19) !== 46 || // .
    s.charCodeAt(23) !== 90 // Z
  ) {
    return undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const ms = digits(s, 20, 3);
  // digits() gives -1 for a non-digit, which every lower bound below rejects.
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}
