import type { LiveFinding } from '../../engine/live';
import { outcome, plural, type LiveCheck } from './context';

// Sequences past a share (default 75 %) of their range. The range that matters is the smaller of the
// sequence's own maximum and the column it feeds: a bigint sequence behind an integer column still fails
// at 2,147,483,647. Once exhausted, every INSERT fails.

const TYPE_MAX: Record<string, number> = { smallint: 32767, integer: 2147483647, bigint: 9223372036854775807 };

const check: LiveCheck = {
  id: 'sequences',
  title: 'Sequences near their limit',
  category: 'integrity',
  async run(ctx) {
    const rows = await ctx.db.query<{ schema: string; seq: string; max: string; inc: string; last: string | null; tbl: string | null; col: string | null; coltype: string | null; visible: boolean | null }>(
      `SELECT n.nspname AS schema, c.relname AS seq, s.seqmax::text AS max, s.seqincrement::text AS inc,
              CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid)::text END AS last,
              dep.tbl, dep.col, dep.coltype, dep.visible
         FROM pg_sequence s
         JOIN pg_class c ON c.oid = s.seqrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN LATERAL (
           SELECT t.relname AS tbl, a.attname AS col, format_type(a.atttypid, NULL) AS coltype, pg_table_is_visible(t.oid) AS visible
             FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            LIMIT 1) dep ON true
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const findings: LiveFinding[] = [];
    let worst = 0;
    for (const r of rows) {
      if (r.last === null || Number(r.inc) <= 0) continue;
      const limit = Math.min(Number(r.max), r.coltype && TYPE_MAX[r.coltype] ? TYPE_MAX[r.coltype] : Infinity);
      const share = Number(r.last) / limit;
      worst = Math.max(worst, share);
      if (share < ctx.options.sequenceShare) continue;
      const table = r.tbl ? (r.visible ? r.tbl : `${r.schema}.${r.tbl}`) : undefined;
      const what = table && r.col ? `"${table}"."${r.col}" (${r.coltype})` : `sequence ${r.seq}`;
      findings.push({
        rule: 'live-sequence-near-limit',
        severity: share >= 0.9 ? 'error' : 'warning',
        category: 'integrity',
        message: `Sequence ${r.seq} feeding ${what} is at ${Number(r.last).toLocaleString('en')} of ${limit.toLocaleString('en')} (${(share * 100).toFixed(1)} %): when it runs out, every INSERT into ${table ? `"${table}"` : 'its table'} fails.`,
        help: table && r.col && r.coltype !== 'bigint'
          ? `Move to bigint before it runs out: ALTER TABLE ${table} ALTER COLUMN ${r.col} TYPE bigint; ALTER SEQUENCE ${r.seq} AS bigint; (the column change rewrites the table under an ACCESS EXCLUSIVE lock: on a large table, migrate through a new column instead).`
          : `ALTER SEQUENCE ${r.seq} AS bigint (and its column), or plan the id scheme before it runs out.`,
        anchor: table ? { table, columns: r.col ? [r.col] : undefined } : undefined,
        key: `seq:${r.schema}.${r.seq}`,
        data: { sequence: r.seq, table, column: r.col, lastValue: Number(r.last), limit, share },
      });
    }
    if (findings.length) return outcome('problem', `${plural(findings.length, 'sequence')} past ${Math.round(ctx.options.sequenceShare * 100)} % of their range`, findings);
    return outcome('ok', `${plural(rows.length, 'sequence')}, the fullest at ${(worst * 100).toFixed(worst < 0.01 ? 4 : 1)} % of its range`);
  },
};
export default check;
