// tsx bench/cpuprofile-summary.ts FILE.cpuprofile... [--top N]
// Sums the self time per function of a V8 CPU profile (`node --cpu-prof`), so a profile can be
// compared with another in a commit message or a report without opening DevTools. Given several
// profiles (runs of one program), prints the median of every figure over them: one profile of a
// busy shared machine says little on its own.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { medianOfNumbers } from './compare/combine-runs.js';

/** The parts of a `.cpuprofile` (Chrome DevTools protocol `Profile`) this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time of one function (all its nodes in the call tree together). */
export interface FunctionTime {
  name: string;
  /** Where it is defined: the file's last two path parts and line (1-based), or '' for V8's own entries. */
  where: string;
  selfMs: number;
}

export interface ProfileSummary {
  /** From the profile's start to its end. */
  totalMs: number;
  /** Time the thread waited on the event loop. */
  idleMs: number;
  /** Everything but idle: the thread was running JavaScript, native code or the garbage collector. */
  busyMs: number;
  gcMs: number;
  /** Self time summed by package under node_modules (`kafkajs`, `long`, ...), and 'gamepipe' for the rest of the JavaScript. */
  byPackage: Map<string, number>;
  /** Every function, most self time first. */
  functions: FunctionTime[];
}

// V8's synthetic nodes: not functions of anybody's code.
const SYNTHETIC = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

function shortPath(url: string): string {
  return url.split('/').slice(-2).join('/');
}

/** The package a script URL belongs to: the folder after the last node_modules/, 'node' for node: builtins, '(wasm)' for WebAssembly. */
export function packageOf(url: string): string {
  if (url === '') return '(v8)';
  if (url.startsWith('node:')) return 'node';
  if (url.startsWith('wasm://')) return '(wasm)';
  const at = url.lastIndexOf('/node_modules/');
  // The CLI runs from an esbuild bundle kept under node_modules/.cache: that is gamepipe's code.
  if (at < 0 || url.includes('/node_modules/.cache/')) return 'gamepipe';
  const parts = url.slice(at + '/node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * Self time per function. Sample i is charged the time until sample i+1 (its own delta for the
 * last one), as DevTools does, so the charges add up to the profile's span.
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const charge = i + 1 < timeDeltas.length ? timeDeltas[i + 1]! : timeDeltas[i]!;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, charge));
  }
  const functions = new Map<string, FunctionTime>();
  const byPackage = new Map<string, number>();
  let idleUs = 0;
  let gcUs = 0;
  let sampledUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    sampledUs += us;
    if (functionName === '(idle)') idleUs += us;
    if (functionName === '(garbage collector)') gcUs += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortPath(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    if (!SYNTHETIC.has(functionName)) byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + us / 1000);
  }
  const totalMs = sampledUs / 1000;
  return {
    totalMs,
    idleMs: idleUs / 1000,
    busyMs: totalMs - idleUs / 1000,
    gcMs: gcUs / 1000,
    byPackage: new Map([...byPackage].sort((a, b) => b[1] - a[1])),
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** Every figure as its median over `summaries` (a function missing from a profile counts 0 ms there). */
export function medianSummary(summaries: ProfileSummary[]): ProfileSummary {
  const across = <K>(pick: (s: ProfileSummary) => Map<K, number>): Map<K, number> => {
    const keys = new Set(summaries.flatMap((s) => [...pick(s).keys()]));
    return new Map([...keys].map((k) => [k, medianOfNumbers(summaries.map((s) => pick(s).get(k) ?? 0))] as const).sort((a, b) => b[1] - a[1]));
  };
  const byKey = (s: ProfileSummary) => new Map<string, number>(s.functions.map((f) => [`${f.name}@${f.where}`, f.selfMs]));
  const named = new Map<string, FunctionTime>(summaries.flatMap((s) => s.functions.map((f) => [`${f.name}@${f.where}`, f] as const)));
  return {
    totalMs: medianOfNumbers(summaries.map((s) => s.totalMs)),
    idleMs: medianOfNumbers(summaries.map((s) => s.idleMs)),
    busyMs: medianOfNumbers(summaries.map((s) => s.busyMs)),
    gcMs: medianOfNumbers(summaries.map((s) => s.gcMs)),
    byPackage: across((s) => s.byPackage),
    functions: [...across(byKey)].map(([key, selfMs]) => ({ name: named.get(key)!.name, where: named.get(key)!.where, selfMs })),
  };
}

/** The summary as text: totals, packages, then the `top` functions by self time. */
export function formatSummary(summary: ProfileSummary, top = 25): string {
  const ms = (v: number) => `${Math.round(v)} ms`.padStart(9);
  const lines = [
    `profile ${ms(summary.totalMs)}   busy ${ms(summary.busyMs)}   idle ${ms(summary.idleMs)}   gc ${ms(summary.gcMs)}`,
    '',
    'self time by package:',
    ...[...summary.byPackage].map(([name, v]) => `${ms(v)}  ${name}`),
    '',
    `top ${top} functions by self time:`,
    ...summary.functions.slice(0, top).map((f) => `${ms(f.selfMs)}  ${f.name}${f.where ? `  (${f.where})` : ''}`),
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  const summaries = positionals.map((file) => summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile));
  if (summaries.length > 1) console.log(`medians over ${summaries.length} profiles:`);
  console.log(formatSummary(summaries.length === 1 ? summaries[0]! : medianSummary(summaries), Number(values.top)));
}
