import { cellText } from './format.js';

/** Rows under their column names; NULL shown as NULL. */
export function ResultGrid({ columns, rows, numeric = [] }: { columns: string[]; rows: unknown[][]; numeric?: boolean[] }) {
  return (
    <div class="grid-box">
      <table class="grid result">
        <thead>
          <tr>{columns.map((c, i) => <th key={i} class={numeric[i] ? 'num' : ''}>{c}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>{row.map((v, i) => <td key={i} class={`${numeric[i] ? 'num' : ''}${v === null ? ' null' : ''}`}>{cellText(v)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
