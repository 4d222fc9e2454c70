import { findColumn, hasIndexOnColumn, type ColumnRef, type Predicate, type ProjectFacts, type QuerySite, type Table } from '../facts';
import { djangoField, djangoHelp, isDjango } from '../facts/dialect-help';
import { defineRule } from '../rule';
import { modelIndexHelp } from '../sources/typescript/help';
import type { Span } from '../types';

// A query filters (eq / IN / range) or sorts-with-LIMIT on a column of a project table that no index
// leads with. A query is judged as a whole: when any of its indexable predicates on a table is served by
// an index, the remaining ones are residual filters on few rows and are not reported. ORDER BY is served
// by an index whose keys are the query's equality columns followed by the sort column.

const INDEXABLE = new Set(['eq', 'in', 'range']);

export default defineRule({
  id: 'missing-filter-index',
  category: 'performance',
  severity: 'warning',
  summary: 'A query filters or sorts on a column that no index leads with, so PostgreSQL scans the whole table.',
  docs: {
    what:
      'Finds ORM and SQL queries whose WHERE (equality, IN, range) columns on a project table are served by no index, ' +
      'and LIMITed queries ordered by a column no index can return in order. Primary keys, unique constraints and ' +
      'composite indexes whose leading columns match count as indexes; boolean columns are ignored.',
    why:
      'Without an index PostgreSQL reads every row (a sequential scan) and sorts the result on each request: ' +
      'fine on a development database, seconds of latency and heavy I/O once the table has millions of rows.',
    instead:
      'Add an index whose leading column is the filtered column (or the equality columns then the sort column). ' +
      'In Alembic create it concurrently inside an autocommit block; on a model use `index=True` or `Index(...)`; in Django add `models.Index(...)` to Meta.indexes and create it with `AddIndexConcurrently` in a migration with `atomic = False`.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    username: Mapped[str] = mapped_column(String(50))\n',
      'app/routes.py':
        'from sqlalchemy import select\n\nfrom app.models import User\n\n\ndef find(session, name):\n    return session.scalars(select(User).where(User.username == name)).first()\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass User(Base):\n    __tablename__ = "users"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    username: Mapped[str] = mapped_column(String(50), index=True)\n',
      'app/routes.py':
        'from sqlalchemy import select\n\nfrom app.models import User\n\n\ndef find(session, name):\n    return session.scalars(select(User).where(User.username == name)).first()\n',
    },
  },
  check(ctx) {
    const { facts } = ctx;
    const hits = new Map<string, { table: Table; column: string; columns: string[]; span: Span; sites: Span[]; why: 'filter' | 'order'; q: QuerySite }>();
    const add = (table: Table, column: string, columns: string[], span: Span, why: 'filter' | 'order', q: QuerySite) => {
      // One finding per column per function (each endpoint is its own hot path); other sites are related.
      const key = `${table.name}.${column}@${q.functionName ?? q.span.file}`;
      const hit = hits.get(key);
      if (hit) hit.sites.push(span);
      else hits.set(key, { table, column, columns, span, sites: [], why, q });
    };

    for (const q of facts.queries) {
      const byTable = new Map<Table, { preds: { p: Predicate; col: string }[]; order: { o: ColumnRef; col: string }[] }>();
      const slot = (t: Table) => byTable.get(t) ?? byTable.set(t, { preds: [], order: [] }).get(t)!;
      for (const p of q.predicates) {
        if (!INDEXABLE.has(p.op) || p.expression) continue;
        const r = resolve(facts, p);
        if (r) slot(r.table).preds.push({ p, col: r.column });
      }
      for (const o of q.orderBy) {
        const r = resolve(facts, o);
        if (r) slot(r.table).order.push({ o, col: r.column });
      }
      for (const [table, { preds, order }] of byTable) {
        const cols = preds.map((x) => x.col);
        if (preds.length && !cols.some((c) => hasIndexOnColumn(table, c))) {
          const pick = preds.find((x) => x.p.op === 'eq' && !isBoolean(table, x.col)) ?? preds.find((x) => !isBoolean(table, x.col));
          if (pick) add(table, pick.col, [pick.col], pick.p.span, 'filter', q);
          continue;
        }
        if (!q.limited || !order.length) continue;
        const eqCols = new Set(preds.filter((x) => x.p.op === 'eq').map((x) => x.col));
        const first = order[0];
        if (isBoolean(table, first.col) || servesOrder(table, first.col, eqCols)) continue;
        add(table, first.col, [...eqCols, first.col], first.o.span, 'order', q);
      }
    }

    const alembic = facts.migrations.some((m) => m.tool === 'alembic');
    for (const h of hits.values()) {
      const name = `ix_${h.table.name}_${h.columns.join('_')}`;
      const colList = h.columns.map((c) => `"${c}"`).join(', ');
      const model = h.table.model;
      const attr = findColumn(h.table, h.column)?.attribute ?? h.column;
      const django = isDjango(facts, h.q.orm);
      const help = django ? djangoHelp.filterIndex(model, h.columns.map((c) => djangoField(h.table, c))) : (!alembic ? modelIndexHelp(h.table, h.columns) : undefined) ?? (alembic
        ? `Add the index in a new Alembic migration, without blocking writes: \`with op.get_context().autocommit_block(): op.create_index("${name}", "${h.table.name}", [${colList}], postgresql_concurrently=True)\`.`
        : model && h.columns.length === 1
          ? `Index the column: \`${attr} = mapped_column(..., index=True)\` on ${model} (and build it with CREATE INDEX CONCURRENTLY on the live database).`
          : `Add \`CREATE INDEX CONCURRENTLY ${name} ON ${h.table.name} (${h.columns.join(', ')});\`${model ? ` (on the model: \`Index("${name}", ${colList})\` in __table_args__)` : ''}.`);
      const what = h.why === 'filter'
        ? `filters on "${h.table.name}"."${h.column}", which no index leads with: every call scans the whole "${h.table.name}" table.`
        : `orders "${h.table.name}" by "${h.column}" with a LIMIT, but no index returns rows in that order${h.columns.length > 1 ? ` after the equality filter on ${h.columns.slice(0, -1).map((c) => `"${c}"`).join(', ')}` : ''}: every call reads and sorts all matching rows to return a few.`;
      ctx.report({
        message: `This query ${what}`,
        help,
        span: h.span,
        key: `${h.table.name}.${h.column}@${h.q.functionName ?? ''}`,
        related: h.sites.map((span) => ({ span, message: `also ${h.why === 'filter' ? 'filters' : 'orders'} on "${h.table.name}"."${h.column}"` })),
        data: { table: h.table.name, columns: h.columns, ddl: `CREATE INDEX CONCURRENTLY ${name} ON ${h.table.name} (${h.columns.join(', ')})` },
      });
    }
  },
});

function resolve(facts: ProjectFacts, ref: ColumnRef): { table: Table; column: string } | undefined {
  const name = ref.table ?? (ref.model ? facts.modelTables.get(ref.model) : undefined);
  const table = name ? (facts.schema.tables.get(name) ?? facts.schema.tables.get(name.toLowerCase())) : undefined;
  const col = table ? findColumn(table, ref.column) : undefined;
  return table && col ? { table, column: col.name } : undefined;
}

function isBoolean(table: Table, column: string): boolean {
  return /^bool/.test(findColumn(table, column)?.type ?? '');
}

/** An index whose keys are (some of) the equality columns and then the sort column can return rows in order. */
function servesOrder(table: Table, column: string, eqCols: Set<string>): boolean {
  const lists = table.indexes.filter((ix) => ix.method === 'btree' || ix.constraint).map((ix) => ix.keys.map((k) => k.column ?? '\u0000'));
  if (table.primaryKey.length) lists.push(table.primaryKey);
  return lists.some((cols) => {
    const i = cols.indexOf(column);
    return i >= 0 && cols.slice(0, i).every((c) => eqCols.has(c));
  });
}
