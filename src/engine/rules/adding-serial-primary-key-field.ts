import { alterCommands, dialectHelp, hasConstraint, pyStr } from '../facts/migration-helpers';
import { isSerial } from '../sources/sql/deparse';
import { defineRule } from '../rule';

const names = (list: any[] | undefined): string[] => (list ?? []).map((k) => String(k.String?.sval ?? '')).filter(Boolean);

export default defineRule({
  id: 'adding-serial-primary-key-field',
  category: 'schema',
  severity: 'warning',
  summary: 'Adding a primary key to an existing table builds its index (and, for a SERIAL column, rewrites the table) under an ACCESS EXCLUSIVE lock.',
  docs: {
    what: 'Finds primary keys added to a table that already existed: `ALTER TABLE … ADD COLUMN … SERIAL|BIGSERIAL PRIMARY KEY` (any `ADD COLUMN … PRIMARY KEY`) and `ALTER TABLE … ADD [CONSTRAINT …] PRIMARY KEY (…)` without USING INDEX in SQL; `op.create_primary_key(...)` and `op.add_column(..., sa.Column(..., primary_key=True))` in Alembic.',
    why: 'ALTER TABLE … ADD PRIMARY KEY holds an ACCESS EXCLUSIVE lock while it builds a unique index over the whole table (and checks the columns for NULLs): every read and write waits. A new SERIAL column is worse: filling it from a sequence rewrites every row first, under the same lock.',
    instead: 'Build the index without blocking, then attach it: `CREATE UNIQUE INDEX CONCURRENTLY t_pkey ON t (id)` outside a transaction, then `ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey`. For a new key column, add it nullable without a default, backfill in batches, then build the index and attach it. In Alembic: `op.create_index(..., unique=True, postgresql_concurrently=True)` inside `with op.get_context().autocommit_block():`, then `op.execute("ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_pkey")`.',
  },
  examples: {
    bad: {
      'migrations/V1__init.sql': 'CREATE TABLE events (payload jsonb);\n',
      'migrations/V2__pk.sql': 'ALTER TABLE events ADD COLUMN id BIGSERIAL PRIMARY KEY;\n',
    },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE events (id bigint NOT NULL, payload jsonb);\n',
      'migrations/V2__index.sql': 'CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events (id);\n',
      'migrations/V3__pk.sql': 'ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;\n',
    },
  },
  check(ctx) {
    for (const { m, st, table, cmd } of alterCommands(ctx.facts.migrations, { existingTables: true })) {
      let pk = cmd.subtype === 'AT_AddConstraint' ? cmd.def?.Constraint : undefined;
      let cols: string[] = [];
      let serial = false;
      if (pk) {
        if (pk.contype !== 'CONSTR_PRIMARY' || pk.indexname) continue;
        cols = names(pk.keys);
      } else if (cmd.subtype === 'AT_AddColumn') {
        const def = cmd.def?.ColumnDef;
        pk = hasConstraint(def, 'CONSTR_PRIMARY');
        cols = [String(def?.colname ?? '')];
        serial = isSerial(def?.typeName) || !!hasConstraint(def, 'CONSTR_IDENTITY');
      }
      if (!pk) continue;
      const name = pk.conname ? String(pk.conname) : `${table}_pkey`;
      const create = `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${cols.join(', ')})`;
      const attach = `ALTER TABLE ${table} ADD CONSTRAINT ${name} PRIMARY KEY USING INDEX ${name}`;
      const column = cmd.subtype === 'AT_AddColumn';
      const prefix = column ? `Add "${cols[0]}" without PRIMARY KEY${serial ? ' or a sequence default' : ''}, backfill it in batches, then ` : '';
      ctx.report({
        message: serial
          ? `Adding ${cols[0]} as a SERIAL/IDENTITY primary key rewrites every row of "${table}" and builds its index under an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until both finish.`
          : `Adding a primary key on "${table}" (${cols.join(', ')}) builds its unique index under an ACCESS EXCLUSIVE lock: every read and write on "${table}" waits until the build finishes.`,
        help: dialectHelp(m, st, {
          sql: `${prefix}${create}; (outside a transaction), then ${attach};`,
          alembic: `${prefix}op.create_index(${pyStr(name)}, ${pyStr(table)}, [${cols.map(pyStr).join(', ')}], unique=True, postgresql_concurrently=True) inside \`with op.get_context().autocommit_block():\`, then op.execute(${pyStr(attach)}).`,
        }),
        span: st.span,
        data: { table, columns: cols, serial, migration: m.id },
      });
    }
  },
});
