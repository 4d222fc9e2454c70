import { alterCommands, dialectHelp, typeName, typesBeforeAlterType } from '../facts/migration-helpers';
import { defineRule } from '../rule';

interface Ty {
  base: string;
  p?: number;
  s?: number;
}

/** "character varying(20)" → { base: "character varying", p: 20 }; "timestamp(3) with time zone" → base "timestamp with time zone", p 3. */
function parseType(t: string): Ty {
  const m = /^(.*?)(?:\((\d+)(?:,\s*(\d+))?\))?((?: with(?:out)? time zone)?(?:\[\])*)$/.exec(t.trim().toLowerCase());
  if (!m) return { base: t };
  const base = (m[1] + m[4]).replace(/^timestamp$/, 'timestamp without time zone').replace(/^time$/, 'time without time zone');
  return { base, p: m[2] === undefined ? undefined : Number(m[2]), s: m[3] === undefined ? undefined : Number(m[3]) };
}

/** Widening or dropping a length/precision limit: `undefined` is "no limit". */
const widens = (from?: number, to?: number) => to === undefined || (from !== undefined && to >= from);

const VARLEN = new Set(['character varying', 'bit varying']);
const PRECISION = new Set(['timestamp without time zone', 'timestamp with time zone', 'time without time zone', 'time with time zone', 'interval']);

/** 'safe' when PostgreSQL neither rewrites nor scans (binary-coercible), 'tz' for timestamp → timestamptz, else 'rewrite'. */
export function typeChange(from: string, to: string): 'safe' | 'tz' | 'rewrite' {
  const a = parseType(from);
  const b = parseType(to);
  if (a.base === b.base) {
    if (a.p === b.p && a.s === b.s) return 'safe';
    if (VARLEN.has(a.base) || PRECISION.has(a.base)) return widens(a.p, b.p) ? 'safe' : 'rewrite';
    if (a.base === 'numeric') return b.p === undefined || (a.p !== undefined && b.p >= a.p && (a.s ?? 0) === (b.s ?? 0)) ? 'safe' : 'rewrite';
    return 'rewrite';
  }
  if (a.base === 'character varying' && b.base === 'text') return 'safe';
  if (a.base === 'text' && b.base === 'character varying' && b.p === undefined) return 'safe';
  if (a.base === 'cidr' && b.base === 'inet') return 'safe';
  if (a.base === 'timestamp without time zone' && b.base === 'timestamp with time zone' && widens(a.p, b.p)) return 'tz';
  return 'rewrite';
}

/**
 * True when there is no USING clause, or it is only the column cast to the target type (`USING "c"::varchar(300)`,
 * as Django writes every type change): PostgreSQL decides about the rewrite exactly as without USING then.
 */
function plainCast(using: Record<string, any> | undefined, column: string, to: string): boolean {
  if (!using) return true;
  const cast = using.TypeCast;
  const fields: Record<string, any>[] = cast?.arg?.ColumnRef?.fields ?? [];
  const name = fields.length === 1 ? String(fields[0].String?.sval ?? '').toLowerCase() : '';
  return name === column && typeName(cast.typeName) === to;
}

export default defineRule({
  id: 'changing-column-type',
  category: 'schema',
  severity: 'warning',
  summary: 'ALTER COLUMN … TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, unless the change is binary-coercible.',
  docs: {
    what: 'Finds `ALTER TABLE … ALTER COLUMN … TYPE …` (Alembic: `op.alter_column(..., type_=...)`) on a table that existed before the migration (also for a column added to it earlier in the same migration: its rows exist all the same), except changes PostgreSQL makes without touching the rows: varchar(n) → text, varchar(n) → varchar(m ≥ n) or unlimited varchar, text → varchar, numeric(p,s) → numeric(q ≥ p, s) or unconstrained numeric, varbit widening, cidr → inet, timestamp/time/interval precision increases. timestamp → timestamptz is reported with a note: it skips the rewrite only on PostgreSQL 12+ when the session TimeZone is UTC. A `USING col::newtype` that only casts the column (Django writes one for every AlterField type change) is judged as if there were no USING.',
    why: 'Any other type change rewrites every row and rebuilds every index of the table while holding an ACCESS EXCLUSIVE lock: every read and write waits, for minutes on a large table, and the rewrite needs disk for a second copy. Running code also keeps sending values of the old type.',
    instead: 'Add a new column of the new type, write to both (trigger or application), backfill in batches, switch reads, then drop the old column. Where a binary-coercible type does the job (text instead of varchar(n), a wider varchar), use it.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE orders (id integer PRIMARY KEY, total numeric(10,2));\n',
      'migrations/V2__id.sql': 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50));\n',
      'migrations/V2__name.sql': 'ALTER TABLE users ALTER COLUMN name TYPE text;\n',
    },
  },
  check(ctx) {
    const pg = ctx.settings.postgresVersion;
    const before = typesBeforeAlterType(ctx.facts);
    // Only a table created by this very migration is exempt: a column added earlier in the migration
    // to an existing table is rewritten with every existing row all the same.
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      if (cmd.subtype !== 'AT_AlterColumnType') continue;
      const column = String(cmd.name ?? '').toLowerCase();
      const to = typeName(cmd.def?.ColumnDef?.typeName);
      const from = before.get(st)?.get(`${table}.${column}`);
      const using = !plainCast(cmd.def?.ColumnDef?.raw_default, column, to);
      const change = from ? typeChange(from, to) : 'rewrite';
      if (change === 'safe' && !using) continue;
      const change$ = from ? `from ${from} to ${to}` : `to ${to}`;
      let message = `Changing "${table}"."${column}" ${change$} rewrites every row of "${table}" and rebuilds its indexes under an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until it finishes.`;
      if (change === 'tz' && !using) {
        message =
          pg >= 12
            ? `Changing "${table}"."${column}" from timestamp to timestamptz takes an ACCESS EXCLUSIVE lock on "${table}" and rewrites the table and its indexes — unless the session TimeZone is UTC, where PostgreSQL 12+ only changes the catalog. Make sure the migration runs with TimeZone = 'UTC'.`
            : `Changing "${table}"."${column}" from timestamp to timestamptz rewrites every row of "${table}" and its indexes under an ACCESS EXCLUSIVE lock before PostgreSQL 12 (postgresVersion is ${pg}): every read and write waits until it finishes.`;
      }
      ctx.report({
        message,
        help:
          change === 'tz' && pg >= 12 && !using
            ? dialectHelp(m, st, {
                sql: `Run SET TimeZone = 'UTC'; in the same session before the ALTER, with a short lock_timeout; otherwise add a timestamptz column, backfill it in batches and switch over.`,
                alembic: `op.execute("SET TimeZone = 'UTC'") before the op.alter_column(...), with a short lock_timeout; otherwise add a new timestamptz column, backfill it in batches and switch over.`,
              })
            : dialectHelp(m, st, {
                sql: `Add a new column of type ${to}, keep both in sync, backfill it in batches, switch reads to it, then drop "${column}".`,
                alembic: `op.add_column(...) with the new type, keep both in sync, backfill in batches, switch reads, then op.drop_column(...) the old one in a later revision.`,
                django: `Add a new field of the new type (AddField), write both from the model's save() or a trigger, backfill it in batches (RunPython), switch reads, then RemoveField the old one in a later release.${/^character varying/.test(to) || to === 'text' ? ' If only the length limit matters, a larger max_length (or TextField) changes only the catalog.' : ''}`,
              }),
        span: st.span,
        data: { table, column, from, to, migration: m.id },
      });
    }
  },
});
