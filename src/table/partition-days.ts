// Hive-style `dt=YYYY-MM-DD` partitions, the same in every table format.

const DAY_MS = 86_400_000;
const dayNames = new Map<number, string>();

/** The Hive-style partition folder `dt=YYYY-MM-DD` (UTC) for an epoch-milliseconds time. */
export function dtFolder(epochMs: number): string {
  const day = Math.floor(epochMs / DAY_MS);
  let name = dayNames.get(day);
  if (name === undefined) {
    name = `dt=${new Date(day * DAY_MS).toISOString().slice(0, 10)}`;
    dayNames.set(day, name);
  }
  return name;
}

/** The `dt=` folder names among `names` that are before the UTC day of `now` (closed), oldest first. */
export function closedDays(names: string[], now: number, includeToday = false): string[] {
  const today = dtFolder(now);
  return names.filter((n) => /^dt=\d{4}-\d{2}-\d{2}$/.test(n) && (includeToday ? n <= today : n < today)).sort();
}
