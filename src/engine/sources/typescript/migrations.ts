import type * as TS from 'typescript';
import type { FileFacts, Migration, MigrationStatement, MigrationTool } from '../../facts';
import { parseStatements } from '../sql/statements';
import type { TsContext } from './context';

// Migrations written in TS/JS (TypeORM, Knex, Sequelize): every step as the SQL it runs, parsed by
// libpg-query, so migration rules read them like a .sql file. Builder steps (`addIndex`, `table.index`)
// are translated to the DDL the tool emits.

export interface Step {
  sql: string;
  node: TS.Node;
  op?: string;
  kwargs?: Record<string, string>;
}

export function isMigrationPath(path: string): boolean {
  return /(^|\/)(migrations?|migrate|db\/migrate)\//i.test(path);
}

export function pushMigration(ctx: TsContext, facts: FileFacts, tool: MigrationTool, steps: Step[], inTransaction: boolean, header?: TS.Node): void {
  const base = ctx.path.slice(ctx.path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
  const order = /^(\d+)/.exec(base)?.[1] ?? /(\d{10,})/.exec(base)?.[1] ?? base;
  const upgrade: MigrationStatement[] = [];
  for (const s of steps) {
    const parsed = parseStatements(s.sql);
    const span = ctx.span(s.node);
    if (!parsed.ok) {
      upgrade.push({ sql: s.sql, parseError: parsed.error, span, inTransaction, op: s.op });
      continue;
    }
    for (const st of parsed.statements) {
      const m: MigrationStatement = { sql: st.sql, ast: st.ast, span, inTransaction, op: s.op ?? `${tool}.raw` };
      if (s.kwargs) m.kwargs = s.kwargs;
      upgrade.push(m);
    }
  }
  const first = ctx.text.indexOf('\n');
  const migration: Migration = {
    file: ctx.path,
    tool,
    id: base,
    parents: [],
    order,
    upgrade,
    span: header ? ctx.span(header) : ctx.lines.span(ctx.path, 0, first < 0 ? ctx.text.length : first),
  };
  facts.migrations.push(migration);
}

export const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** An identifier as the tool would write it: plain when it folds to itself, quoted otherwise. */
export const ident = (s: string) => (/^[a-z_][a-z0-9_]*$/.test(s) ? s : q(s));
