import { useMemo, useState } from 'preact/hooks';
import { queryCsv, runQuery, type QueryAnswer } from './api.js';
import { BarChart } from './Chart.js';
import { barData } from './chart-shape.js';
import { ResultGrid } from './ResultGrid.js';

/** The old pipeline's question, the first thing to try. */
export const HORSES_BY_SIZE = 'SELECT size, sum(quantity) AS horses\nFROM horse_purchases\nGROUP BY size\nORDER BY size';

/** A SQL editor over the job tables, the result as a grid and, when it has that shape, a bar chart. */
export function QueryView({ sql, setSql }: { sql: string; setSql: (sql: string) => void }) {
  const [answer, setAnswer] = useState<QueryAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [running, setRunning] = useState(false);
  const chart = useMemo(() => answer && barData(answer.columns, answer.types, answer.rows), [answer]);
  const run = async () => {
    setRunning(true);
    try {
      setAnswer(await runQuery(sql));
      setError(undefined);
    } catch (err) {
      setAnswer(undefined);
      setError((err as Error).message);
    } finally {
      setRunning(false);
    }
  };
  const download = async () => {
    try {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await queryCsv(sql));
      link.download = 'query.csv';
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section class="query">
      <textarea
        class="sql"
        spellcheck={false}
        value={sql}
        onInput={(e) => setSql((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => (e.ctrlKey || e.metaKey) && e.key === 'Enter' && void run()}
      />
      <div class="actions">
        <button class="run" onClick={run} disabled={running}>{running ? 'running…' : 'Run (Ctrl-Enter)'}</button>
        <button onClick={download} disabled={!answer}>Download CSV</button>
        {answer && <span class="muted status">{answer.rows.length} row(s){answer.truncated && (answer.cut === 'bytes' ? `, cut at the console's limit of ${formatMiB(answer.byteLimit)}` : `, cut at the console's limit of ${answer.rowLimit} rows`)}</span>}
      </div>
      {error && <pre class="error query-error">{error}</pre>}
      {chart && <BarChart data={chart} />}
      {answer && <ResultGrid columns={answer.columns} rows={answer.rows} numeric={chart ? answer.columns.map((_, i) => i > 0) : []} />}
    </section>
  );
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
}
