// The DuckDB anchor of bench/royalties_vs_duckdb.sh: computes the pro-rata split of one pool over
// statement lines (recording x scope x territory) from the same events accord used, with the same
// largest-remainder rule and tie-break (remainder, then ISRC, scope number, territory), and
// checks that every line's amount equals accord's.
//
//   node prorata.mjs DIR POOL_MINOR_UNITS
// DIR holds events.csv (isrc,scope,territory,weight_ppm) and accord_lines.csv
// (isrc,scope,territory,amount) written by `royalties_bench --export DIR`.
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, poolText] = process.argv.slice(2);
if (!dir || !poolText) {
  console.error('usage: node prorata.mjs DIR POOL_MINOR_UNITS');
  process.exit(2);
}
const pool = BigInt(poolText);

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const db = await instance.connect();

const t0 = performance.now();
await db.run(`CREATE TABLE events AS SELECT * FROM read_csv('${dir}/events.csv',
  header = true, columns = {'isrc': 'VARCHAR', 'scope': 'INTEGER', 'territory': 'VARCHAR',
  'weight_ppm': 'BIGINT'})`);
const t1 = performance.now();
await db.run(`CREATE TABLE lines AS
  WITH w AS (SELECT isrc, scope, territory, sum(weight_ppm)::HUGEINT AS w
             FROM events GROUP BY ALL),
       t AS (SELECT sum(w) AS total FROM w),
       a AS (SELECT isrc, scope, territory, (${pool}::HUGEINT * w) // total AS base,
                    (${pool}::HUGEINT * w) % total AS rem FROM w, t),
       l AS (SELECT ${pool}::HUGEINT - sum(base) AS leftover FROM a)
  SELECT isrc, scope, territory,
         base + CASE WHEN row_number() OVER (ORDER BY rem DESC, isrc, scope, territory)
                          <= leftover THEN 1 ELSE 0 END AS amount
  FROM a, l`);
const t2 = performance.now();

await db.run(`CREATE TABLE ours AS SELECT * FROM read_csv('${dir}/accord_lines.csv',
  header = true, columns = {'isrc': 'VARCHAR', 'scope': 'INTEGER', 'territory': 'VARCHAR',
  'amount': 'BIGINT'})`);
const diff = await db.runAndReadAll(`SELECT count(*) AS lines,
    count(*) FILTER (WHERE o.amount IS NULL OR o.amount <> d.amount) AS differing,
    sum(d.amount)::BIGINT AS total
  FROM lines d FULL OUTER JOIN ours o USING (isrc, scope, territory)`);
const [lines, differing, total] = diff.getRows()[0];
console.log(JSON.stringify({
  duckdb_load_s: (t1 - t0) / 1000,
  duckdb_split_s: (t2 - t1) / 1000,
  duckdb_total_s: (t2 - t0) / 1000,
  lines: Number(lines),
  differing_lines: Number(differing),
  total_minor: Number(total),
}));
process.exit(Number(differing) === 0 ? 0 : 1);
