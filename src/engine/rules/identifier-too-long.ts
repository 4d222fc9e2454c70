import { nodeSpan } from '../facts/migration-helpers-b';
import { relName } from '../facts/migration-helpers';
import { defineRule } from '../rule';

const MAX = 63;

export default defineRule({
  id: 'identifier-too-long',
  category: 'schema',
  severity: 'warning',
  summary: 'PostgreSQL silently truncates names longer than 63 bytes: the object gets a different name than the code uses.',
  docs: {
    what: 'Finds migrations that create or rename a table, column, index or constraint with a name longer than 63 bytes (NAMEDATALEN - 1).',
    why: 'PostgreSQL truncates longer identifiers with only a NOTICE: the index "ix_…_long" exists under a shorter name, so a later DROP INDEX or ALTER … RENAME with the full name fails in the middle of a deploy, two long names that share their first 63 bytes collide, and ORM autogenerate keeps seeing a difference.',
    instead: 'Choose names of at most 63 bytes (set an explicit `name=` on Alembic constraints and indexes, or a shorter naming convention).',
  },
  examples: {
    bad: { 'migrations/001_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX ix_t_a_this_name_is_far_too_long_for_postgresql_to_keep_it_whole_abc ON t (a);\n' },
    good: { 'migrations/001_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX ix_t_a ON t (a);\n' },
  },
  check(ctx) {
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const names: { name: string; kind: string; location?: number }[] = [];
        const ast = st.ast ?? {};
        const add = (name: unknown, kind: string, location?: number) => {
          if (typeof name === 'string' && Buffer.byteLength(name) > MAX) names.push({ name, kind, location });
        };
        const constraintsOf = (list: any[] | undefined) => {
          for (const e of list ?? []) {
            if (e.ColumnDef) {
              add(e.ColumnDef.colname, 'column', e.ColumnDef.location);
              for (const c of e.ColumnDef.constraints ?? []) add(c.Constraint?.conname, 'constraint', c.Constraint?.location);
            }
            if (e.Constraint) add(e.Constraint.conname, 'constraint', e.Constraint.location);
          }
        };
        if (ast.CreateStmt) {
          add(relName(ast.CreateStmt.relation) && ast.CreateStmt.relation.relname, 'table', ast.CreateStmt.relation?.location);
          constraintsOf(ast.CreateStmt.tableElts);
        }
        if (ast.IndexStmt) add(ast.IndexStmt.idxname, 'index');
        if (ast.AlterTableStmt) constraintsOf((ast.AlterTableStmt.cmds ?? []).map((c: any) => c.AlterTableCmd?.def).filter(Boolean));
        if (ast.RenameStmt) add(ast.RenameStmt.newname, ast.RenameStmt.renameType === 'OBJECT_COLUMN' ? 'column' : 'name');
        if (ast.CreateTableAsStmt) add(ast.CreateTableAsStmt.into?.rel?.relname, 'table', ast.CreateTableAsStmt.into?.rel?.location);
        for (const n of names) {
          const bytes = Buffer.byteLength(n.name);
          const kept = Buffer.from(n.name).subarray(0, MAX).toString();
          ctx.report({
            message: `The ${n.kind} name "${n.name}" is ${bytes} bytes: PostgreSQL silently truncates it to "${kept}", so later statements that use the full name fail.`,
            help: `Use a ${n.kind} name of at most ${MAX} bytes${st.op ? ' (pass an explicit shorter name= to the op)' : ''}.`,
            span: nodeSpan(ctx, st, n.location, n.name.length),
            data: { name: n.name, bytes, migration: m.id },
          });
        }
      }
    }
  },
});
