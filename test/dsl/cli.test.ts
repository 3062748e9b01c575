import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobText, positionOf } from './job-text.js';

type Run = { code: number | null; stdout: string; stderr: string };

function gamepipe(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/gamepipe.js', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let good: string;
let bad: string;
const badText = jobText('where: quantity == "x"\ntrigger: 10 parsecs\n');

afterAll(() => rm(dir, { recursive: true, force: true }));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gamepipe-cli-'));
  good = join(dir, 'good.job.yaml');
  bad = join(dir, 'bad.job.yaml');
  await writeFile(good, jobText('tests:\n  - name: kept\n    event: { quantity: "2" }\n    expect: { quantity: 3 }\n', undefined, 'good'));
  await writeFile(bad, badText);
  // Each run starts Node and tsx; running them side by side keeps this file to about one start-up.
  const names = Object.keys(RUNS) as (keyof typeof RUNS)[];
  const results = await Promise.all(names.map((n) => gamepipe(...RUNS[n]())));
  names.forEach((n, i) => (runs[n] = results[i]));
});

const RUNS = {
  clean: () => ['validate', good],
  failing: () => ['validate', dir],
  usage: () => ['validate'],
  badFormat: () => ['validate', '--format', 'xml', good],
  json: () => ['validate', '--format', 'json', bad, join(dir, 'nope.job.yaml')],
  testFail: () => ['test', good],
  testInvalid: () => ['test', bad],
  testExamples: () => ['test', 'jobs/'],
};
const runs = {} as Record<keyof typeof RUNS, Run>;

describe('gamepipe validate', () => {
  it('exits 0 on clean files, 1 with every error positioned and a caret, 2 on usage errors', () => {
    const clean = runs.clean;
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('1 file checked, 0 errors: ok (good)');

    const failing = runs.failing;
    expect(failing.code).toBe(1);
    const where = positionOf(badText, '==');
    expect(failing.stdout).toContain(`${bad}:${where.line}:${where.column}: error: in where: quantity == "x" can never be true`);
    expect(failing.stdout).toContain(`where: quantity == "x"\n${' '.repeat(where.column - 1)}^\n`);
    expect(failing.stdout).toContain(`${bad}:${positionOf(badText, '10 parsecs').line}:10: error: trigger: bad duration`);
    expect(failing.stdout).toContain('2 files checked, 2 errors');

    const usage = runs.usage;
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: gamepipe validate');
    expect(runs.badFormat.code).toBe(2);
  });

  it('prints machine-readable diagnostics with --format json', () => {
    const r = runs.json;
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: number; diagnostics: { file: string; line: number; column: number; message: string }[] };
    expect(out.ok).toBe(false);
    expect(out.errors).toBe(3);
    expect(out.diagnostics[0]).toEqual({ file: join(dir, 'nope.job.yaml'), line: 1, column: 1, severity: 'error', message: 'no such file or directory' });
    expect(out.diagnostics[1]).toMatchObject({ file: bad, ...positionOf(badText, '==') });
  });
});

describe('gamepipe test', () => {
  it('prints a line per test and a diff, and exits non-zero on a failure or an invalid file', () => {
    const r = runs.testFail;
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL good: kept\n     quantity: expected 3, got 2\n');
    expect(r.stdout).toContain('0 passed, 1 failed');
    const invalid = runs.testInvalid;
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('1 invalid file(s)');
  });

  it('passes on the example jobs', () => {
    const r = runs.testExamples;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(r.stdout).not.toContain('FAIL');
  });
});
