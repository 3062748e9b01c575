import { describe, expect, it } from 'vitest';
import { checkJobSet } from '../../src/dsl/check-job-set.js';
import { checkJobText } from '../../src/dsl/check-job.js';
import { errorsOf, jobText, positionOf } from './job-text.js';

describe('checkJobText: the job file', () => {
  it('accepts a minimal file and applies every default', () => {
    const { spec, diagnostics } = checkJobText('t.job.yaml', jobText());
    expect(diagnostics).toEqual([]);
    expect(spec).toMatchObject({
      job: 't',
      file: 't.job.yaml',
      source: { topic: 'events', start: 'earliest' },
      where: undefined,
      include: [],
      sink: { path: 'data/t', format: 'parquet', partitionBy: [], maxRows: 200000, maxBytes: 8 * 1024 * 1024 },
      triggerMs: 10_000,
      onBadRecord: 'dead_letter',
      maxRecordBytes: 1024 * 1024,
      tests: [],
    });
    expect(spec!.schema).toEqual([
      { name: 'event_type', from: 'event_type', type: 'string' },
      { name: 'quantity', from: 'quantity', type: 'int' },
      { name: 'size', from: 'size', type: 'string' },
    ]);
  });

  it('reads durations, sizes and column entries with from', () => {
    const text = jobText(
      'trigger: 500ms\ninclude: [raw_event]\n',
      '  host: { from: Host, type: string }\n  level: { from: player.level, type: int }\n  at: { from: $timestamp, type: timestamp }\n  ua: { type: string }\n',
    ).replace('  path: data/t\n', '  path: data/t\n  max_bytes: 512 KiB\n  max_rows: 10\n  partition_by: [dt]\n');
    const { spec, diagnostics } = checkJobText('t.job.yaml', text);
    expect(diagnostics).toEqual([]);
    expect(spec!.triggerMs).toBe(500);
    expect(spec!.sink).toMatchObject({ maxBytes: 512 * 1024, maxRows: 10, partitionBy: [{ name: 'dt', text: 'dt', transform: 'dt', source: -1, type: 'date' }] });
    expect(spec!.schema.map((c) => c.from)).toEqual(['Host', 'player.level', '$timestamp', 'ua']);
    for (const [duration, ms] of [['10 seconds', 10_000], ['10s', 10_000], ['1 minute', 60_000], ['2 minutes', 120_000]] as const) {
      expect(checkJobText('t.job.yaml', jobText(`trigger: ${duration}\n`)).spec!.triggerMs).toBe(ms);
    }
  });

  it('reports a YAML syntax error at its place', () => {
    const text = jobText('tests: [1, 2\n');
    const errors = errorsOf(text);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ ...positionOf(text, '2\n'), message: expect.stringContaining('YAML') });
  });

  it('reports an empty file', () => {
    expect(errorsOf('')).toEqual([{ line: 1, column: 1, message: expect.stringContaining('empty') }]);
  });

  it('reports unknown keys with a did-you-mean, at the key', () => {
    const text = jobText('trigerr: 10s\n').replace('  topic: events', '  topic: events\n  strat: latest');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'strat'), message: "unknown key 'strat' in source (did you mean 'start'?)" },
      { ...positionOf(text, 'trigerr'), message: "unknown key 'trigerr' in the job file (did you mean 'trigger'?)" },
    ]);
  });

  it('reports missing keys, at the mapping that lacks them', () => {
    const text = 'job: t\nsource:\n  start: latest\nschema:\n  a: string\n';
    expect(errorsOf(text)).toEqual([
      { line: 1, column: 1, message: "missing key 'sink' in the job file" },
      { ...positionOf(text, 'start'), message: "source needs one of 'topic', 'topics', 'topic_pattern'" },
    ]);
  });

  it('reports bad types and bad enum values at the value', () => {
    const text = jobText('on_bad_record: skipp\ninclude: raw_event\n', '  quantity: integer\n').replace('  path: data/t\n', '  path: data/t\n  max_rows: lots\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, 'integer'), message: "schema.quantity must be one of string, int, long, double, boolean, timestamp, date, json or decimal(p,s), got 'integer' (did you mean 'int'?)" },
      { ...positionOf(text, 'lots'), message: "sink.max_rows must be a whole number of at least 1, got 'lots'" },
      { ...positionOf(text, 'skipp'), message: "on_bad_record must be one of dead_letter, skip, fail, got 'skipp' (did you mean 'skip'?)" },
      { ...positionOf(text, 'raw_event'), message: "include must be a list, got 'raw_event'" },
    ]);
  });

  it('accepts format: delta on a local path and on s3://', () => {
    for (const path of ['data/t', 's3://gamepipe/tables/t']) {
      const { spec, diagnostics } = checkJobText('t.job.yaml', jobText().replace('  path: data/t\n', `  path: ${path}\n  format: delta\n`));
      expect(diagnostics).toEqual([]);
      expect(spec!.sink).toMatchObject({ path, format: 'delta' });
    }
  });

  it('refuses format: parquet on s3://, pointing to format: delta, and a malformed s3:// path', () => {
    const onS3 = jobText().replace('  path: data/t', '  path: s3://gamepipe/tables/t');
    expect(errorsOf(onS3)).toEqual([{ ...positionOf(onS3, 's3://'), message: expect.stringMatching(/^sink.path on s3:\/\/ needs `format: delta`: S3 has no atomic rename/) }]);
    const noPrefix = jobText().replace('  path: data/t', '  path: s3://gamepipe\n  format: delta');
    expect(errorsOf(noPrefix)).toEqual([{ ...positionOf(noPrefix, 's3://'), message: "sink.path 's3://gamepipe': give a prefix for the table inside the bucket (s3://gamepipe/<table>)" }]);
  });

  it('reports a bad duration and a bad size', () => {
    const text = jobText('trigger: 10 parsecs\n').replace('  topic: events', '  topic: events\n  max_record_bytes: 1 lightyear');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '1 lightyear'), message: 'source.max_record_bytes must be a size in bytes like 1048576 or "64 MiB", got \'1 lightyear\'' },
      { ...positionOf(text, '10 parsecs'), message: expect.stringContaining("trigger: bad duration '10 parsecs'") },
    ]);
  });

  it('reports an empty from and an unknown $ metadata name in from', () => {
    const text = jobText('', '  a: { from: "", type: string }\n  b: { from: $tiemstamp, type: timestamp }\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '""'), message: 'schema.a.from must not be empty' },
      { ...positionOf(text, '$tiemstamp'), message: expect.stringContaining("unknown metadata name '$tiemstamp' in schema.b.from (did you mean '$timestamp'?)") },
    ]);
  });

  it('reports test expectations that name no output column', () => {
    const text = jobText('tests:\n  - name: x\n    event: { a: 1 }\n    expect: { quantit: 1 }\n');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'quantit:'), message: "tests[0].expect names 'quantit', which is not an output column (did you mean 'quantity'?)" }]);
  });

  it('reports every error of a file, in file order', () => {
    const text = jobText('trigger: soon\nwhere: quantity == "x"\nsorce: 1\n');
    expect(errorsOf(text).map((e) => e.line)).toEqual([positionOf(text, 'soon').line, positionOf(text, '==').line, positionOf(text, 'sorce').line]);
  });
});

describe('checkJobSet: jobs across files', () => {
  const spec = (file: string, text: string) => {
    const { spec } = checkJobText(file, text);
    if (!spec) throw new Error(`${file} does not check`);
    return spec;
  };

  it('reports duplicate job names at the second job line', () => {
    const second = `# another\n${jobText().replace('data/t', 'data/other')}`;
    const diagnostics = checkJobSet([spec('a.job.yaml', jobText()), spec('b.job.yaml', second)]);
    expect(diagnostics).toEqual([
      { file: 'b.job.yaml', ...positionOf(second, 'job: t', 0, 5), severity: 'error', message: "duplicate job name 't' (also in a.job.yaml:1)" },
    ]);
  });

  it('reports two jobs writing the same sink path, comparing normalised paths', () => {
    const a = jobText('', undefined, 'a').replace('data/a', 'data/x/');
    const b = jobText('', undefined, 'b').replace('data/b', './data//x');
    const diagnostics = checkJobSet([spec('a.job.yaml', a), spec('b.job.yaml', b)]);
    expect(diagnostics).toEqual([
      { file: 'b.job.yaml', ...positionOf(b, './data//x'), severity: 'error', message: `sink path './data//x' is also written by job 'a' (a.job.yaml:${positionOf(a, 'data/x/').line})` },
    ]);
  });

  it('reports a sink inside another job sink', () => {
    const a = jobText('', undefined, 'a').replace('data/a', 'data');
    const b = jobText('', undefined, 'b');
    expect(checkJobSet([spec('a.job.yaml', a), spec('b.job.yaml', b)])[0].message).toContain("overlaps 'data' of job 'a'");
  });
});
