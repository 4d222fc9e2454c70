import { defineRule } from '../rule';
import type { Span } from '../types';

export default defineRule({
  id: 'require-enum-value-ordering',
  category: 'schema',
  severity: 'info',
  summary: 'ADD VALUE without BEFORE/AFTER appends the value last; code that sorts or compares that enum then orders it wrong.',
  docs: {
    what: 'Finds `ALTER TYPE … ADD VALUE` without BEFORE or AFTER on an enum that application code sorts by or compares with `<`/`>` (an ORDER BY or range filter on a column of that type, found in the project\'s queries). Unlike Squawk, which flags every ADD VALUE without a position, pgready stays silent when nothing depends on the order: appending is then the right thing to do.',
    why: 'Enum values sort in declaration order, not alphabetically. A value appended at the end sorts after every existing one: `ORDER BY status` and `WHERE severity >= \'high\'` silently put "critical" after "low"… whatever its meaning. The order cannot be changed later without recreating the type.',
    instead: 'Say where the value belongs: `ALTER TYPE severity ADD VALUE \'critical\' AFTER \'high\';`.',
  },
  examples: {
    bad: {
      'migrations/001_tickets.sql': "CREATE TYPE severity AS ENUM ('low', 'high');\nCREATE TABLE tickets (id bigint PRIMARY KEY, severity severity NOT NULL);\n",
      'migrations/002_medium.sql': "ALTER TYPE severity ADD VALUE 'medium';\n",
      'queries/open.sql': 'SELECT id FROM tickets ORDER BY severity DESC LIMIT 20;\n',
    },
    good: {
      'migrations/001_tickets.sql': "CREATE TYPE severity AS ENUM ('low', 'high');\nCREATE TABLE tickets (id bigint PRIMARY KEY, severity severity NOT NULL);\n",
      'migrations/002_medium.sql': "ALTER TYPE severity ADD VALUE 'medium' BEFORE 'high';\n",
      'queries/open.sql': 'SELECT id FROM tickets ORDER BY severity DESC LIMIT 20;\n',
    },
  },
  check(ctx) {
    const migrationFiles = new Set(ctx.facts.migrations.map((m) => m.file));
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        const e = st.ast?.AlterEnumStmt;
        if (!e || e.oldVal || !e.newVal || e.newValNeighbor) continue;
        const names: any[] = e.typeName ?? [];
        const type = String(names[names.length - 1]?.String?.sval ?? '').toLowerCase();
        const columns = new Set<string>();
        for (const t of ctx.facts.schema.tables.values()) for (const c of t.columns) if (c.type.replace(/\[\]$/, '') === type) columns.add(`${t.name}.${c.name}`);
        if (!columns.size) continue;
        const uses: { span: Span; message: string }[] = [];
        for (const q of ctx.facts.queries) {
          if (migrationFiles.has(q.span.file)) continue;
          for (const o of q.orderBy) if (o.table && columns.has(`${o.table}.${o.column.toLowerCase()}`)) uses.push({ span: o.span, message: `sorts by ${o.table}.${o.column}` });
          for (const p of q.predicates) if (p.op === 'range' && p.table && columns.has(`${p.table}.${p.column.toLowerCase()}`)) uses.push({ span: p.span, message: `compares ${p.table}.${p.column} with < or >` });
        }
        if (!uses.length) continue;
        ctx.report({
          message: `ADD VALUE '${e.newVal}' without BEFORE/AFTER puts it after every existing value of "${type}", and code sorts or compares "${type}" values (${uses[0].span.file}:${uses[0].span.line}): the new value will order last whatever it means.`,
          help: `Say where it belongs: ALTER TYPE ${type} ADD VALUE '${e.newVal}' BEFORE '…' (or AFTER '…').`,
          span: st.span,
          related: uses.slice(0, 5),
          data: { type, value: e.newVal, migration: m.id },
        });
      }
    }
  },
});
