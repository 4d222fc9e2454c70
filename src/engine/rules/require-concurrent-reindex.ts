import { createdEarlier, dialectHelp, dialectOf, fixOf, pyStr, relName, sqlInsertEdit, sqlTokens, autocommitEdit } from '../facts/migration-helpers';
import { defineRule } from '../rule';

const KINDS: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
};

export default defineRule({
  id: 'require-concurrent-reindex',
  category: 'schema',
  severity: 'warning',
  summary: 'REINDEX without CONCURRENTLY blocks writes to the table and reads through the index while it rebuilds (PostgreSQL 12+ can rebuild concurrently).',
  docs: {
    what: 'Finds migrations that run `REINDEX INDEX|TABLE|SCHEMA|DATABASE` without CONCURRENTLY on PostgreSQL 12 or later (the `postgresVersion` setting), in SQL files and in Alembic `op.execute(...)`.',
    why: 'A plain REINDEX takes a SHARE lock on the table, so every INSERT, UPDATE and DELETE waits for the whole rebuild, and an ACCESS EXCLUSIVE lock on each index it rebuilds, so queries that would use the index wait too. On a large table that is minutes of blocked traffic. Since PostgreSQL 12, REINDEX CONCURRENTLY rebuilds without blocking reads or writes.',
    instead: 'Use `REINDEX INDEX CONCURRENTLY …` (or TABLE/SCHEMA/DATABASE) outside a transaction block. In Alembic: `op.execute("REINDEX INDEX CONCURRENTLY …")` inside `with op.get_context().autocommit_block():`.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE jobs (id bigint PRIMARY KEY, status text);\nCREATE INDEX jobs_status_idx ON jobs (status);\n',
      'migrations/V2__reindex.sql': 'REINDEX INDEX jobs_status_idx;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE jobs (id bigint PRIMARY KEY, status text);\nCREATE INDEX jobs_status_idx ON jobs (status);\n',
      'migrations/V2__reindex.sql': 'REINDEX INDEX CONCURRENTLY jobs_status_idx;\n',
    },
  },
  check(ctx) {
    if (ctx.settings.postgresVersion < 12) return; // no concurrent alternative before PostgreSQL 12
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const r = st.ast?.ReindexStmt;
        if (!r || !KINDS[r.kind]) continue;
        if ((r.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) continue;
        const kind = KINDS[r.kind];
        const name = kind === 'SCHEMA' || kind === 'DATABASE' ? String(r.name ?? '').toLowerCase() : relName(r.relation);
        const created = createdEarlier(m, st);
        if ((kind === 'TABLE' && created.tables.has(name)) || (kind === 'INDEX' && created.indexes.has(name))) continue;

        // The fix: CONCURRENTLY right after the object kind keyword (`REINDEX (VERBOSE) TABLE CONCURRENTLY t`).
        const text = ctx.text(st.span.file) ?? '';
        const kw = sqlTokens(st.sql).find((t) => t.upper === kind);
        const edit = kw ? sqlInsertEdit(text, st, kw.end, ' CONCURRENTLY') : undefined;
        const dialect = dialectOf(m, st);
        let fix;
        if (edit && (dialect === 'sql' || !st.inTransaction)) fix = fixOf('Rebuild concurrently', edit);
        else if (edit && dialect === 'alembic-execute') {
          const call = text.slice(st.span.start, st.span.end);
          const rel = edit.start - st.span.start;
          fix = fixOf('Rebuild concurrently', autocommitEdit(text, st, call.slice(0, rel) + edit.newText + call.slice(rel)));
        }
        const target = `${kind} CONCURRENTLY ${name}`;
        const where = kind === 'INDEX' ? `the table of "${name}"` : kind === 'TABLE' ? `"${name}"` : `every table in ${kind.toLowerCase()} "${name}"`;
        ctx.report({
          message: `REINDEX ${kind} ${name} without CONCURRENTLY blocks every write to ${where} (SHARE lock) and every query that uses the rebuilt ${kind === 'INDEX' ? 'index' : 'indexes'} (ACCESS EXCLUSIVE lock on ${kind === 'INDEX' ? 'it' : 'each'}) until the rebuild finishes.`,
          help: dialectHelp(m, st, {
            sql: `Use REINDEX ${target} and run it outside a transaction block.`,
            alembic: `Rebuild concurrently: op.execute(${pyStr(`REINDEX ${target}`)}) inside \`with op.get_context().autocommit_block():\`.`,
          }),
          span: st.span,
          fix,
          data: { kind, name, migration: m.id },
        });
      }
    }
  },
});
