// Seed-like game events, shaped exactly like the game API emits them (see the event contract):
// string values as they arrived, `size` lower-cased, request headers under their HTTP names.
// Deterministic for a given seed so every benchmark run and contender sees the same workload.

/** One event as it sits on the topic: a flat JSON object of strings. */
export type GameEvent = Record<string, string>;

/** A small fast PRNG (mulberry32): same seed, same sequence, on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COLORS = ['red', 'blue', 'green', 'black', 'silver'];
const SIZES = ['small', 'medium', 'large'];
const GUILDS = ['knights', 'rangers', 'mages', 'thieves'];
const HOSTS = ['comcast.com', 'att.com', 'verizon.net'];
const AGENTS = ['ApacheBench/2.3', 'curl/8.5.0', 'python-requests/2.31.0'];
const OTHER_TYPES = ['purchase_shield', 'purchase_knife', 'upgrade_sword', 'upgrade_shield'];
// Events start here and advance a few milliseconds each, like a busy afternoon of API traffic.
const BASE_TS = Date.parse('2026-11-22T15:00:00.000Z');

/** A uniformly drawn element of `list` (not empty). */
export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function uuidFrom(rand: () => number): string {
  const hex = (n: number) => Math.floor(rand() * 16 ** n).toString(16).padStart(n, '0');
  const variant = (8 + Math.floor(rand() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(8)}${hex(4)}`;
}

/** The route-specific part of one event, drawn from the seed-like mix. */
function body(rand: () => number): GameEvent {
  const r = rand();
  if (r < 0.2) return { event_type: 'default' };
  if (r < 0.27) return { event_type: 'purchase_sword' }; // `/purchase_a_sword` without parameters
  if (r < 0.5) {
    return { event_type: 'purchase_sword', color: pick(rand, COLORS), quantity: String(1 + Math.floor(rand() * 5)) };
  }
  if (r < 0.7) {
    return {
      event_type: 'purchase_horse',
      speed: String(1 + Math.floor(rand() * 10)),
      size: pick(rand, SIZES),
      quantity: String(1 + Math.floor(rand() * 3)),
    };
  }
  if (r < 0.8) {
    return { event_type: 'join_guild', action: 'join', username: `player${Math.floor(rand() * 5000)}`, guildname: pick(rand, GUILDS) };
  }
  if (r < 0.85) {
    return { event_type: 'leave_guild', action: 'leave', username: `player${Math.floor(rand() * 5000)}`, guildname: pick(rand, GUILDS) };
  }
  if (r < 0.88) return { event_type: 'purchase_spellbook', item: 'spellbook', school: 'fire', level: String(1 + Math.floor(rand() * 9)) };
  const type = pick(rand, OTHER_TYPES);
  return type === 'purchase_knife' ? { event_type: type, description: 'very sharp knife' } : { event_type: type };
}

/** Yields `n` seed-like events one at a time (no array of a million objects held in memory). */
export function* eventStream(n: number, seed = 1): Generator<GameEvent> {
  const rand = prng(seed);
  let ts = BASE_TS;
  for (let i = 0; i < n; i++) {
    ts += Math.floor(rand() * 5);
    const event = body(rand);
    event.event_id = uuidFrom(rand);
    event.event_ts = new Date(ts).toISOString();
    event.Host = `user${Math.floor(rand() * 100)}.${pick(rand, HOSTS)}`;
    event['User-Agent'] = pick(rand, AGENTS);
    event.Accept = '*/*';
    if (rand() < 0.1) event['Accept-Language'] = 'en-US';
    yield event;
  }
}

/** Returns `n` deterministic seed-like events for `seed`: the same input for every contender. */
export function generateEvents(n: number, seed = 1): GameEvent[] {
  return Array.from(eventStream(n, seed));
}
