import type { JobTable } from '../query/job-tables.js';
import type { DataFile } from '../table/job-store.js';
import type { AnswerFormat, QueryAnswer, QueryLimits } from './query-guard.js';

/** A job table as the query process gets it: its live files listed by the console. */
export type ListedTable = Omit<JobTable, 'files'> & { files: DataFile[] };

/** Console -> query process: run one query. */
export interface QueryRequest {
  id: number;
  sql: string;
  format: AnswerFormat;
  limits: QueryLimits;
  /** Date.now() after which the process stops reading rows. */
  deadline: number;
  tables: ListedTable[];
}

/** Query process -> console: the process is listening; then one reply per request. */
export type QueryReply =
  | { ready: true }
  | { id: number; ok: true; answer: QueryAnswer | string }
  | { id: number; ok: false; status: 400 | 403; message: string };
