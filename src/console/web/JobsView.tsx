import { useEffect, useState } from 'preact/hooks';
import { getJobs, getRejected, type JobRow } from './api.js';
import { Sparkline } from './Chart.js';
import { ResultGrid } from './ResultGrid.js';
import { numberText } from './format.js';

const REFRESH_MS = 3000;

const fileName = (path: string) => path.split('/').at(-1)!;

/** Every job file with its state and live figures, refreshed every few seconds. */
export function JobsView() {
  const [jobs, setJobs] = useState<JobRow[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [rejectedOf, setRejectedOf] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    const load = () =>
      getJobs().then(
        (rows) => live && (setJobs(rows), setError(undefined)),
        (err: Error) => live && setError(err.message),
      );
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (!jobs) return <p class="muted">{error ?? 'loading jobs…'}</p>;
  return (
    <section>
      {error && <p class="error">{error}</p>}
      <table class="grid jobs">
        <thead>
          <tr>
            <th>job</th><th>state</th><th>topic</th><th>partitions</th><th class="num">lag</th><th>rows/s (last minutes)</th><th>last batch</th><th class="num">rows</th><th class="num">rejected</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (j.state === 'invalid' ? <InvalidJob key={j.file} job={j} /> : <JobLine key={j.file} job={j} onRejected={() => setRejectedOf(j.job)} />))}
        </tbody>
      </table>
      {rejectedOf && <RejectedRows job={rejectedOf} onClose={() => setRejectedOf(undefined)} />}
    </section>
  );
}

/** `p0: 3, p1: 0`; a job of several topics names each partition's topic: `horses/p0: 3, swords/p0: 1`. */
function partitionLagText(partitions: NonNullable<JobRow['partitions']>): string {
  if (partitions.length === 0) return 'no topic';
  const several = new Set(partitions.map((p) => p.topic)).size > 1;
  return partitions.map((p) => `${several ? `${p.topic}/` : ''}p${p.partition}: ${p.lag}`).join(', ');
}

function JobLine({ job, onRejected }: { job: JobRow; onRejected: () => void }) {
  const latest = job.rate.at(-1)?.rowsPerSecond;
  return (
    <tr data-job={job.job} data-state={job.state}>
      <td><strong>{job.job}</strong><div class="muted small" title={job.file}>{fileName(job.file)}</div></td>
      <td>
        <span class={`state state-${job.state.replace(/\s/g, '-')}`}>{job.state}</span>
        {job.error && <div class="error small">{job.error}</div>}
      </td>
      <td>{job.topic}</td>
      <td>{job.partitions ? partitionLagText(job.partitions) : 'kafka unreachable'}</td>
      <td class="num lag">{numberText(job.lag)}</td>
      <td class="rate">
        <Sparkline points={job.rate} />
        {latest !== undefined && <span class="small muted"> {latest.toFixed(1)}/s</span>}
      </td>
      <td>{job.lastBatch}{job.batchAvgMs !== undefined && <div class="muted small">avg {job.batchAvgMs.toFixed(0)} ms</div>}</td>
      <td class="num rows">{numberText(job.rows)}</td>
      <td class="num">
        <button class="link rejected" disabled={!job.rejected} onClick={onRejected} title="show the rejected rows and their reasons">
          {numberText(job.rejected)}
        </button>
      </td>
    </tr>
  );
}

function InvalidJob({ job }: { job: JobRow }) {
  return (
    <tr data-file={job.file} data-state="invalid">
      <td><strong title={job.file}>{fileName(job.file)}</strong></td>
      <td><span class="state state-invalid">invalid</span>{job.error && <div class="error small">{job.error}</div>}</td>
      <td colSpan={7}>
        <pre class="diagnostics">{job.errors?.join('\n')}</pre>
      </td>
    </tr>
  );
}

function RejectedRows({ job, onClose }: { job: string; onClose: () => void }) {
  const [rows, setRows] = useState<{ columns: string[]; rows: (string | null)[][] } | string | undefined>();
  useEffect(() => {
    getRejected(job).then(setRows, (err: Error) => setRows(err.message));
  }, [job]);
  return (
    <div class="panel rejected-rows">
      <h3>
        rejected rows of {job} <button class="link" onClick={onClose}>close</button>
      </h3>
      {rows === undefined ? <p class="muted">loading…</p> : typeof rows === 'string' ? <p class="error">{rows}</p> : <ResultGrid columns={rows.columns} rows={rows.rows} />}
    </div>
  );
}
