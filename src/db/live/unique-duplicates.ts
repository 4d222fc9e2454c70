import { hasUniqueOver } from '../../engine/facts/schema';
import type { LiveVerdict } from '../../engine/live';
import { DbError } from '../connection';
import { quoteIdent } from '../catalog';
import { outcome, staticFindings, tableKey, type LiveCheck } from './context';

// For every `missing-unique-constraint` finding: does the database already hold duplicates? The count runs
// under the session's statement_timeout (a GROUP BY over a large table may not finish; then it says so).
// Only counts leave the database, never the duplicated values. NULLs are skipped: a unique constraint
// allows any number of them.

const MAX_GROUPS = 10_000;

const check: LiveCheck = {
  id: 'unique-duplicates',
  title: 'Duplicates behind missing unique constraints',
  category: 'integrity',
  async run(ctx) {
    const statics = staticFindings(ctx, 'missing-unique-constraint');
    if (!statics.length) return outcome('unknown', 'no missing-unique-constraint findings to check');
    const verdicts: LiveVerdict[] = [];
    const parts: string[] = [];
    const seen = new Set<string>();
    let withDuplicates = 0;
    for (const f of statics) {
      const t = tableKey(f.data?.table);
      const cols = ((f.data?.columns as string[]) ?? []).map((c) => c.toLowerCase());
      const key = `${t}(${cols.join(',')})`;
      if (!cols.length || seen.has(key)) continue;
      seen.add(key);
      const table = ctx.catalog.schema.tables.get(t);
      if (!table || !cols.every((c) => table.columns.some((x) => x.name === c))) {
        parts.push(`${key}: not in the database`);
        continue;
      }
      const match = { table: t, columns: f.data?.columns as string[] };
      if (hasUniqueOver(table, cols)) {
        const ix = table.indexes.find((i) => i.unique && !i.where && i.keys.every((k) => k.column && cols.includes(k.column)));
        verdicts.push({ rule: 'missing-unique-constraint', match, verdict: 'cleared', note: `the database enforces it with unique index ${ix?.name ?? '(primary key)'} (missing from the code's migrations: add it there too).` });
        parts.push(`${key}: unique in the database`);
        continue;
      }
      const list = cols.map(quoteIdent).join(', ');
      const sql = `SELECT count(*)::int8::float8 AS groups, coalesce(sum(n), 0)::float8 AS rows
                     FROM (SELECT count(*) AS n FROM ${ctx.catalog.qualified.get(t)} WHERE ${cols.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')}
                            GROUP BY ${list} HAVING count(*) > 1 LIMIT ${MAX_GROUPS}) d`;
      const what = cols.join(', ');
      try {
        const [r] = await ctx.db.query<{ groups: number; rows: number }>(sql);
        const groups = Number(r.groups);
        const rows = Number(r.rows);
        if (groups > 0) {
          withDuplicates++;
          const more = groups >= MAX_GROUPS ? 'at least ' : '';
          verdicts.push({
            rule: 'missing-unique-constraint',
            match,
            verdict: 'confirmed',
            note: `"${t}" already holds ${more}${groups} duplicated ${what} value${groups === 1 ? '' : 's'} (${more}${rows} rows): the race has happened; remove the duplicates before adding the constraint, or the migration fails.`,
            data: { duplicateGroups: groups, duplicateRows: rows },
          });
          parts.push(`${key}: ${more}${groups} duplicated values in ${rows} rows`);
        } else {
          verdicts.push({ rule: 'missing-unique-constraint', match, verdict: 'confirmed', note: `no constraint in the database either, and no duplicates yet: adding it now needs no cleanup.`, data: { duplicateGroups: 0, duplicateRows: 0 } });
          parts.push(`${key}: no duplicates`);
        }
      } catch (e) {
        if (!(e instanceof DbError) || e.code !== '57014') throw e;
        verdicts.push({ rule: 'missing-unique-constraint', match, verdict: 'confirmed', note: 'no constraint in the database either (duplicates not counted: the count ran past statement_timeout).' });
        parts.push(`${key}: count timed out`);
      }
    }
    return outcome(withDuplicates ? 'problem' : 'ok', parts.join('; ') || 'nothing to check', [], verdicts);
  },
};
export default check;
