import { alterCommands, dialectHelp, hasConstraint, pyStr } from '../facts/migration-helpers';
import { defineRule } from '../rule';

const names = (list: any[] | undefined): string[] => (list ?? []).map((k) => String(k.String?.sval ?? '')).filter(Boolean);

export default defineRule({
  id: 'disallowed-unique-constraint',
  category: 'schema',
  severity: 'warning',
  summary: 'ADD CONSTRAINT … UNIQUE on an existing table builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait.',
  docs: {
    what: 'Finds unique constraints added to a table that already existed by building their own index: `ALTER TABLE … ADD [CONSTRAINT …] UNIQUE (…)` or `ADD COLUMN … UNIQUE` in SQL, `op.create_unique_constraint(...)` and `op.add_column(..., sa.Column(..., unique=True))` in Alembic. `ADD CONSTRAINT … UNIQUE USING INDEX …` is fine.',
    why: 'The constraint builds a unique index over the whole table while ALTER TABLE holds an ACCESS EXCLUSIVE lock: every query on the table, even a SELECT, waits until the build finishes — minutes on a large table.',
    instead: 'Build the index first without blocking (`CREATE UNIQUE INDEX CONCURRENTLY name ON t (cols)`, outside a transaction), then attach it: `ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX name` (instant). In Alembic: `op.create_index("name", "t", ["cols"], unique=True, postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`, then `op.execute("ALTER TABLE t ADD CONSTRAINT name UNIQUE USING INDEX name")`.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'migrations/V2__unique.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'migrations/V2__index.sql': 'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n',
      'migrations/V3__unique.sql': 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;\n',
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      let c = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      let cols: string[] = [];
      if (c) {
        if (c.contype !== 'CONSTR_UNIQUE' || c.indexname) continue;
        cols = names(c.keys);
      } else if (cmd.subtype === 'AT_AddColumn') {
        c = hasConstraint(cmd.def?.ColumnDef, 'CONSTR_UNIQUE');
        cols = [String(cmd.def?.ColumnDef?.colname ?? '')];
      }
      if (!c) continue;
      const name = c.conname ? String(c.conname) : `${table}_${cols.join('_')}_key`;
      const create = `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${cols.join(', ')})`;
      const attach = `ALTER TABLE ${table} ADD CONSTRAINT ${name} UNIQUE USING INDEX ${name}`;
      const column = cmd.subtype === 'AT_AddColumn';
      ctx.report({
        message: `Adding a unique constraint on "${table}" (${cols.join(', ')}) builds its index while holding an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until the build finishes.`,
        help: dialectHelp(m, st, {
          sql: `${column ? 'Add the column without UNIQUE, then ' : ''}${create}; (outside a transaction), then ${attach};`,
          alembic: `${column ? 'Add the column without unique=True, then ' : ''}op.create_index(${pyStr(name)}, ${pyStr(table)}, [${cols.map(pyStr).join(', ')}], unique=True, postgresql_concurrently=True) inside \`with op.get_context().autocommit_block():\`, then op.execute(${pyStr(attach)}).`,
          django: `Use AddIndexConcurrently with a unique index (atomic = False), then migrations.RunSQL(${pyStr(attach)}).`,
        }),
        span: st.span,
        data: { table, columns: cols, constraint: c.conname, migration: m.id },
      });
    }
  },
});
