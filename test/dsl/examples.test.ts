import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadJobs } from '../../src/dsl/load-jobs.js';
import { runJobTests } from '../../src/dsl/run-job-tests.js';
import { jobText, positionOf } from './job-text.js';

const EXAMPLES = ['default_hits', 'guild_actions', 'horse_purchases', 'spellbook_purchases', 'sword_purchases'];

describe('the example jobs', () => {
  it('validate, and their tests pass', async () => {
    const { jobs, diagnostics } = await loadJobs(['jobs']);
    expect(diagnostics).toEqual([]);
    expect(jobs.map((j) => j.spec.job)).toEqual(EXAMPLES);
    for (const job of jobs) {
      expect(job.spec.sink.path).toBe(`data/${job.spec.job}`);
      expect(job.spec.include).toEqual(['raw_event']);
      const results = runJobTests(job);
      expect(results.length).toBeGreaterThan(1);
      expect(results.filter((r) => !r.passed)).toEqual([]);
    }
  });
});

describe('runJobTests', () => {
  it('reports failures with a diff line per column', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-dsl-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'x.job.yaml');
    const tests = [
      'tests:',
      '  - name: wrong values',
      '    event: { event_type: a, quantity: "2", size: s }',
      '    expect: { quantity: 3, size: s, event_type: b }',
      '  - name: should drop',
      '    event: { event_type: a }',
      '    expect: dropped',
      '  - name: dropped but expected a row',
      '    event: { event_type: z }',
      '    expect: { size: null }',
      '  - name: bad record',
      '    event: { event_type: a, quantity: many }',
      '    expect: { quantity: 1 }',
      '',
    ].join('\n');
    await writeFile(file, jobText(`where: event_type != "z"\n${tests}`));
    const { jobs, diagnostics } = await loadJobs([file]);
    expect(diagnostics).toEqual([]);
    const results = runJobTests(jobs[0]);
    expect(results.map((r) => [r.name, r.passed, r.diff])).toEqual([
      ['wrong values', false, ['quantity: expected 3, got 2', 'event_type: expected "b", got "a"']],
      ['should drop', false, ['expected the event to be dropped, but the filter kept it -> event_type="a", quantity=null, size=null']],
      ['dropped but expected a row', false, ['expected a row, but the filter dropped the event']],
      ['bad record', false, ['expected a row, but the event is a bad record: column quantity: cannot read "many" as int']],
    ]);
  });
});

describe('loadJobs', () => {
  it('turns missing paths, empty folders and bad files into diagnostics and compiles only good files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-dsl-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'b.job.yaml'), jobText('', undefined, 'b'));
    const bad = jobText('trigger: never\n', undefined, 'a');
    await writeFile(join(dir, 'a.job.yaml'), bad);
    await writeFile(join(dir, 'notes.yaml'), 'not a job');
    const empty = await mkdtemp(join(tmpdir(), 'gamepipe-dsl-empty-'));
    onTestFinished(() => rm(empty, { recursive: true, force: true }));
    const missing = join(dir, 'missing.job.yaml');
    const { jobs, diagnostics, sources } = await loadJobs([dir, missing, empty]);
    expect(jobs.map((j) => j.spec.job)).toEqual(['b']);
    expect([...sources.keys()]).toEqual([join(dir, 'a.job.yaml'), join(dir, 'b.job.yaml')]);
    expect(diagnostics.map((d) => [d.file, d.line, d.message.split(' (')[0]])).toEqual([
      [missing, 1, 'no such file or directory'],
      [empty, 1, 'no *.job.yaml files in this directory'],
      [join(dir, 'a.job.yaml'), positionOf(bad, 'never').line, "trigger: bad duration 'never'"],
    ]);
  });
});
