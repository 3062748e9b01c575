import { useEffect, useState } from 'preact/hooks';
import { getTables, type TableRow } from './api.js';
import { bytesText, numberText } from './format.js';

/** Every job table and dead-letter table: size, layout and schema. */
export function TablesView({ onQuery }: { onQuery: (sql: string) => void }) {
  const [tables, setTables] = useState<TableRow[] | string | undefined>();
  const load = () => getTables().then(setTables, (err: Error) => setTables(err.message));
  useEffect(() => void load(), []);
  if (tables === undefined) return <p class="muted">loading tables…</p>;
  if (typeof tables === 'string') return <p class="error">{tables}</p>;
  return (
    <section>
      <button onClick={load}>refresh</button>
      <table class="grid tables">
        <thead>
          <tr>
            <th>table</th><th class="num">rows</th><th class="num">files</th><th class="num">bytes</th><th class="num">small files</th><th class="num">partitions</th><th>schema</th>
          </tr>
        </thead>
        <tbody>
          {tables.map((t) => (
            <tr key={t.table} data-table={t.table}>
              <td>
                <button class="link" onClick={() => onQuery(`SELECT * FROM ${t.table} LIMIT 100`)} title="query this table">{t.table}</button>
                {t.kind === 'rejected' && <div class="muted small">dead letters of {t.job}</div>}
              </td>
              <td class="num rows">{numberText(t.rows)}</td>
              <td class="num">{numberText(t.files)}</td>
              <td class="num">{bytesText(t.bytes)}</td>
              <td class="num">{numberText(t.smallFiles)}</td>
              <td class="num">{numberText(t.partitions)}</td>
              <td class="schema">{t.schema.map((c) => <span key={c.name} class="column">{c.name} <span class="muted">{c.type}</span></span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
