import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, TABLE_FUNCTIONS } from '../../src/console/allowed-functions.js';
import { refusal } from '../../src/console/sql-allowlist.js';

// DuckDB's own parser makes the statements, so the walk is tested on the shapes it really meets.
let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => conn.closeSync());

const TABLES = ['horse_purchases', 'horse_purchases_rejected', 'Sword_Purchases'];

async function check(sql: string): Promise<string | undefined> {
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql('${sql.replaceAll("'", "''")}')`);
  const parsed = JSON.parse(String(reader.getRows()[0]![0])) as { error: boolean; error_message?: string; statements: unknown[] };
  if (parsed.error) throw new Error(parsed.error_message);
  expect(parsed.statements).toHaveLength(1);
  return refusal(parsed.statements[0], TABLES);
}

describe('the console SQL allow-list', () => {
  it.each([
    'SELECT size, sum(quantity) AS n FROM horse_purchases GROUP BY size ORDER BY n DESC',
    'SELECT * FROM horse_purchases_rejected LIMIT 5',
    'SELECT count(*) FROM sword_purchases',
    'FROM horse_purchases SELECT date_trunc(\'hour\', event_ts) AS h, count(*) GROUP BY ALL',
    'WITH daily AS (SELECT dt, count(*) AS n FROM horse_purchases GROUP BY dt) SELECT dt, n, avg(n) OVER (ORDER BY dt ROWS 6 PRECEDING) FROM daily',
    'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t',
    'SELECT * FROM range(10) r, generate_series(1, 3) g',
    'SELECT unnest([1, 2, 3]) AS x, list_transform([1, 2], y -> y * 2), {\'k\': 1}.k',
    'SELECT * FROM unnest([1, 2])',
    'SELECT upper(size) || \'!\', size LIKE \'l%\', size IN (\'a\', \'b\'), CASE WHEN quantity > 1 THEN \'many\' END, quantity::VARCHAR, coalesce(size, \'?\') FROM horse_purchases',
    'SELECT * FROM horse_purchases QUALIFY row_number() OVER (PARTITION BY size ORDER BY quantity) = 1',
    'SELECT * FROM horse_purchases WHERE quantity > (SELECT avg(quantity) FROM horse_purchases) AND EXISTS (SELECT 1 FROM sword_purchases)',
    'SELECT size FROM horse_purchases UNION SELECT \'x\' EXCEPT SELECT \'y\'',
    'DESCRIBE horse_purchases',
    'SUMMARIZE horse_purchases',
    'SHOW TABLES',
    'VALUES (1, \'a\'), (2, \'b\')',
    'SELECT 1 AS a, json_extract_string(\'{"a": 1}\', \'$.a\'), \'{"a":1}\'::JSON ->> \'a\'',
    'SELECT h.size FROM horse_purchases h JOIN sword_purchases s ON h.event_id = s.event_id',
  ])('lets %s run', async (sql) => {
    expect(await check(sql)).toBeUndefined();
  });

  it.each([
    ["SELECT * FROM enable_profiling(format='json', save_location='/tmp/x/_delta_log/00000000000000000001.json')", "table function 'enable_profiling' is not allowed"],
    ["SELECT * FROM enable_logging(storage='file', storage_path='/tmp/x')", "table function 'enable_logging' is not allowed"],
    ["SELECT current_setting('s3_secret_access_key')", "function 'current_setting' is not on the console's list"],
    ['SELECT * FROM duckdb_settings()', "table function 'duckdb_settings' is not allowed"],
    ['SELECT * FROM duckdb_secrets()', "table function 'duckdb_secrets' is not allowed"],
    ["SELECT * FROM read_csv('/etc/passwd')", "table function 'read_csv' is not allowed"],
    ["SELECT * FROM read_parquet('/tmp/x/*.parquet')", "table function 'read_parquet' is not allowed"],
    ["SELECT * FROM glob('/etc/*')", "table function 'glob' is not allowed"],
    ["SELECT * FROM query('SELECT 1')", "table function 'query' is not allowed"],
    ["SELECT * FROM '/etc/passwd'", "'/etc/passwd' is not one of the console's tables"],
    ['SELECT * FROM information_schema.tables', "'information_schema.tables' is not one of the console's tables"],
    ['SELECT * FROM duckdb_views', "'duckdb_views' is not one of the console's tables"],
    ["SELECT getvariable('x')", "function 'getvariable'"],
    ["SELECT json_execute_serialized_sql('{}')", "function 'json_execute_serialized_sql'"],
    ["SELECT write_log('x')", "function 'write_log'"],
    ["SELECT nextval('s')", "function 'nextval'"],
    ['SELECT setseed(0.5)', "function 'setseed'"],
    // Wherever the call sits: ORDER BY, HAVING, a lambda, a CTE body, a subquery in WHERE, a join condition.
    ["SELECT size FROM horse_purchases ORDER BY current_setting('threads')", "function 'current_setting'"],
    ["SELECT size FROM horse_purchases GROUP BY size HAVING count(*) > length(current_setting('x'))", "function 'current_setting'"],
    ["SELECT list_transform([1], x -> getvariable('y'))", "function 'getvariable'"],
    ["WITH c AS (SELECT current_setting('x') AS v) SELECT * FROM c", "function 'current_setting'"],
    ["SELECT 1 WHERE 1 IN (SELECT count(*) FROM glob('/'))", "table function 'glob'"],
    ["SELECT * FROM horse_purchases h JOIN range(3) r ON getvariable('v') = 1", "function 'getvariable'"],
    ["SELECT * FROM range(length(current_setting('x')))", "function 'current_setting'"],
    ["SELECT * FROM horse_purchases, LATERAL (SELECT * FROM read_text(size))", "table function 'read_text'"],
    // A CTE name is only a table inside the query that defines it.
    ['SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT * FROM duckdb_views), duckdb_views', "'duckdb_views' is not one of the console's tables"],
    ['SHOW databases', 'SHOW databases is not allowed'],
  ])('refuses %s', async (sql, reason) => {
    expect(await check(sql)).toContain(reason);
  });

  it('lists only scalar, aggregate and window functions DuckDB has, and no table function but range, generate_series and unnest', async () => {
    const rows = (await conn.runAndReadAll('SELECT DISTINCT function_name, function_type FROM duckdb_functions()')).getRows() as [string, string][];
    const known = new Set(rows.map(([name]) => name));
    // Special forms of the parser and binder, not scalar functions of the catalog (unnest in SELECT is one).
    const special = ['coalesce', 'if', 'ifnull', 'try', 'unnest'];
    const missing = [...FUNCTIONS].filter((f) => !known.has(f) && !special.includes(f));
    expect(missing).toEqual([]);
    // A name listed in FUNCTIONS allows only its scalar or aggregate form; table functions have their own list.
    const valueFunctions = new Set(rows.filter(([, type]) => ['scalar', 'aggregate', 'macro'].includes(type)).map(([name]) => name));
    expect([...FUNCTIONS].filter((f) => !special.includes(f) && !valueFunctions.has(f))).toEqual([]);
    expect([...TABLE_FUNCTIONS].filter((f) => !rows.some(([name, type]) => name === f && type === 'table'))).toEqual([]);
  });
});
