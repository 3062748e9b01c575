import { createInterface } from 'node:readline';
import { text } from 'node:stream/consumers';
import type { Catalog } from '../query/catalog.js';
import { CATALOG_FLAGS, jobPaths, openJobCatalog, outputFormat } from '../query/open-job-catalog.js';
import { formatResult, type OutputFormat } from '../query/result-format.js';
import { UserError } from '../user-error.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gamepipe query ["<SQL>"] [--jobs <dir or files>]... [--csv | --json]';

/** `gamepipe query`: runs SQL over the jobs' tables (one DuckDB view per job); no SQL opens a prompt. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, CATALOG_FLAGS);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const format = outputFormat(values);
  const catalog = await openJobCatalog(jobPaths(values.jobs));
  try {
    if (positionals.length) return await runOne(catalog, positionals.join(' '), format);
    if (process.stdin.isTTY) return await prompt(catalog, format);
    const sql = (await text(process.stdin)).trim();
    if (!sql) throw new UserError(`no SQL given on the command line or on stdin; ${USAGE}`, 2);
    return await runOne(catalog, sql, format);
  } finally {
    catalog.close();
  }
}

async function runOne(catalog: Catalog, sql: string, format: OutputFormat): Promise<number> {
  console.log(formatResult(await catalog.query(sql), format));
  return 0;
}

// One statement per line (or several lines ending in `;`); errors are printed and the prompt goes on.
async function prompt(catalog: Catalog, format: OutputFormat): Promise<number> {
  const names = catalog.tables.map((t) => t.name).join(', ');
  console.log(`tables: ${names}\nend a statement with ';' (or a blank line); Ctrl-D quits`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'gamepipe> ' });
  let pending = '';
  rl.prompt();
  for await (const line of rl) {
    pending += `${line}\n`;
    const done = line.trim().endsWith(';') || (line.trim() === '' && pending.trim() !== '');
    if (done) {
      try {
        console.log(formatResult(await catalog.query(pending), format));
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        console.error(err.message);
      }
      pending = '';
    }
    rl.setPrompt(pending ? '      ...> ' : 'gamepipe> ');
    rl.prompt();
  }
  return 0;
}
