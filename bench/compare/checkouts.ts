// The checkouts the hot-path benchmarks compare, named on their command line as LABEL=ROOT.
import { resolve } from 'node:path';

/** One checkout of gamepipe: a project folder (e.g. a `git archive` of a commit with node_modules linked in). */
export interface Checkout {
  label: string;
  root: string;
  /** Node flags to start it with (bench/hotpath-compare.ts only). */
  flags: string[];
  /** Environment variables to start it with (bench/hotpath-compare.ts only). */
  env: Record<string, string>;
}

/** Parses `LABEL=ROOT[,NODE_FLAG|NAME=VALUE...]` arguments; throws on a malformed one or none at all. */
export function parseCheckouts(args: string[]): Checkout[] {
  const checkouts = args.map((arg) => {
    const at = arg.indexOf('=');
    if (at < 1) throw new Error(`expected LABEL=ROOT, got '${arg}'`);
    const [root, ...extras] = arg.slice(at + 1).split(',');
    const flags = extras.filter((e) => e.startsWith('-'));
    const env = Object.fromEntries(extras.filter((e) => !e.startsWith('-')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    return { label: arg.slice(0, at), root: resolve(root!), flags, env };
  });
  if (checkouts.length === 0) throw new Error('name at least one checkout as LABEL=ROOT');
  return checkouts;
}

/** The order of round `i`: alternating, so neither checkout always runs first (after a cool or a busy spell). */
export function roundOrder<T>(items: T[], i: number): T[] {
  return i % 2 === 0 ? items : [...items].reverse();
}
