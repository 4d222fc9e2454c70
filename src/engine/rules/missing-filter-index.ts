import { findColumn, hasIndexOnColumn, type ColumnRef, type Predicate, type ProjectFacts, type QuerySite, type Table } from '../facts';
import { djangoField, djangoHelp, isDjango } from '../facts/dialect-help';
import { defineRule } from '../rule';
import { sqlJoinEdges } from '../sources/sql/joins';
import { parseStatements } from '../sources/sql/statements';
import { modelIndexHelp } from '../sources/typescript/help';
import type { Span } from '../types';
import { fkIndexGap, resolveColumnRef as resolve } from './missing-fk-index';

// A query filters (eq / IN / range) or sorts-with-LIMIT on a column of a project table that no index
// leads with. A query is judged as a whole: when any of its indexable predicates on a table is served by
// an index, the remaining ones are residual filters on few rows and are not reported. ORDER BY is served
// by an index whose keys are the query's equality columns followed by the sort column.
//
// Two cases are left alone because the scan the message would claim does not happen, or is already reported:
// - A table the query reaches through a join on an indexed column from a table whose filter an index
//   serves (`o.slug = :org` → projects(organization_id) → tasks(project_id, …)): the planner walks the
//   indexes in a nested loop, and the table's own predicates are residual filters on the rows it reaches.
// - A filter on the leading column of a foreign key that has no index: missing-fk-index reports that key,
//   with this query as a related location, and the index it asks for serves the filter.

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

    const deferToFk = ctx.settings.rules['missing-fk-index'] !== 'off';
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
      // Tables whose filter an index serves (or will, once missing-fk-index's index exists) drive the plan.
      const served = (table: Table, cols: string[]) => cols.some((c) => hasIndexOnColumn(table, c) || (deferToFk && fkIndexGap(table, c)));
      const roots = new Set([...byTable].filter(([t, { preds }]) => served(t, preds.map((x) => x.col))).map(([t]) => t));
      const reached = roots.size && byTable.size ? reachedByIndexedJoin(facts, q, roots) : new Set<Table>();
      for (const [table, { preds, order }] of byTable) {
        const cols = preds.map((x) => x.col);
        if (preds.length && !served(table, cols)) {
          if (reached.has(table)) continue;
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
      // The sort finding can sit on an unindexed foreign key: the composite index also serves that key.
      const coversFk = h.why === 'order' && h.columns.length > 1 && deferToFk && fkIndexGap(h.table, h.columns[0]);
      const fkNote = coversFk ? ` Leading with "${h.columns[0]}", it also serves the foreign key that missing-fk-index reports.` : '';
      const what = h.why === 'filter'
        ? `filters on "${h.table.name}"."${h.column}", which no index leads with: every call scans the whole "${h.table.name}" table.`
        : `orders "${h.table.name}" by "${h.column}" with a LIMIT, but no index returns rows in that order${h.columns.length > 1 ? ` after the equality filter on ${h.columns.slice(0, -1).map((c) => `"${c}"`).join(', ')}` : ''}: every call reads and sorts all matching rows to return a few.`;
      ctx.report({
        message: `This query ${what}`,
        help: help + fkNote,
        span: h.span,
        key: `${h.table.name}.${h.column}@${h.q.functionName ?? ''}`,
        related: h.sites.map((span) => ({ span, message: `also ${h.why === 'filter' ? 'filters' : 'orders'} on "${h.table.name}"."${h.column}"` })),
        data: { table: h.table.name, columns: h.columns, ddl: `CREATE INDEX CONCURRENTLY ${name} ON ${h.table.name} (${h.columns.join(', ')})` },
      });
    }
  },
});

type Edge = { a: { table: Table; column: string }; b: { table: Table; column: string } };
const sqlEdges = new WeakMap<object, { a: { table: string; column: string }; b: { table: string; column: string } }[]>();

/** The join equalities of a query: parsed from its SQL, or, for an ORM query that joins, the foreign keys between its tables. */
function joinEdges(facts: ProjectFacts, q: QuerySite): Edge[] {
  const table = (name: string) => facts.schema.tables.get(name) ?? facts.schema.tables.get(name.toLowerCase());
  const out: Edge[] = [];
  if (q.sql) {
    let raw = sqlEdges.get(q.sql);
    if (!raw) {
      const parsed = q.sql.text ? parseStatements(q.sql.text) : undefined;
      raw = parsed?.ok ? parsed.statements.flatMap((st) => sqlJoinEdges(st.ast)) : [];
      sqlEdges.set(q.sql, raw);
    }
    for (const e of raw) {
      const ta = table(e.a.table);
      const tb = table(e.b.table);
      const ca = ta && findColumn(ta, e.a.column);
      const cb = tb && findColumn(tb, e.b.column);
      if (ca && cb) out.push({ a: { table: ta, column: ca.name }, b: { table: tb, column: cb.name } });
    }
    return out;
  }
  // An ORM join without an explicit ON clause joins along the foreign key between the two models.
  if (!q.joins.length) return out;
  const tables = q.tables.map(table).filter((t): t is Table => !!t);
  for (const t of tables) {
    for (const fk of t.foreignKeys) {
      const ref = fk.columns.length === 1 ? tables.find((x) => x.name === fk.refTable) : undefined;
      if (ref && ref !== t) out.push({ a: { table: t, column: fk.columns[0] }, b: { table: ref, column: fk.refColumns[0] ?? ref.primaryKey[0] ?? 'id' } });
    }
  }
  return out;
}

/**
 * The tables reachable from `roots` by joins whose far side is an indexed column: the planner can read them
 * with index lookups per driving row (a nested loop) instead of scanning them.
 */
function reachedByIndexedJoin(facts: ProjectFacts, q: QuerySite, roots: Set<Table>): Set<Table> {
  const edges = joinEdges(facts, q);
  const reached = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { a, b } of edges) {
      for (const [from, to] of [[a, b], [b, a]]) {
        if (reached.has(from.table) && !reached.has(to.table) && hasIndexOnColumn(to.table, to.column)) {
          reached.add(to.table);
          grew = true;
        }
      }
    }
  }
  for (const r of roots) reached.delete(r);
  return reached;
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
