// The console's JSON API as the page calls it; the shapes are the server's own types.
import type { JobRow } from '../jobs-api.js';
import type { QueryAnswer } from '../query-guard.js';
import type { TableRow } from '../tables-api.js';

export type { JobRow, QueryAnswer, TableRow };

/** A failed call, with the server's one-line `error`. */
export class ApiError extends Error {}

async function answer<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  throw new ApiError(body.error ?? `${res.status} ${res.statusText}`);
}

export const getJobs = () => fetch('/api/jobs').then((r) => answer<JobRow[]>(r));
export const getTables = () => fetch('/api/tables').then((r) => answer<TableRow[]>(r));
export const getRejected = (job: string) => fetch(`/api/jobs/${encodeURIComponent(job)}/rejected`).then((r) => answer<{ columns: string[]; rows: (string | null)[][] }>(r));

const post = (path: string, sql: string) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });

export const runQuery = (sql: string) => post('/api/query', sql).then((r) => answer<QueryAnswer>(r));

/** The result of `sql` as CSV (the CLI's --csv format), for a download. */
export async function queryCsv(sql: string): Promise<Blob> {
  const res = await post('/api/query.csv', sql);
  if (!res.ok) await answer(res);
  return res.blob();
}
