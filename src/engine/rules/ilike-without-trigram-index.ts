import { findColumn, type Index, type ProjectFacts, type Table } from '../facts';
import { djangoField, djangoHelp, isDjango } from '../facts/dialect-help';
import { defineRule } from '../rule';
import { trigramHelp } from '../sources/typescript/help';
import type { Span } from '../types';

// `col ILIKE '%q%'`, `col LIKE '%q%'` and any ILIKE cannot use a btree index: only a pg_trgm GIN/GiST
// index serves them. LIKE 'abc%' (a prefix) is left alone: a btree with text_pattern_ops serves it.

const OPS = new Set(['like-contains', 'ilike-contains', 'ilike-prefix']);

export default defineRule({
  id: 'ilike-without-trigram-index',
  category: 'performance',
  severity: 'warning',
  summary: 'A LIKE/ILIKE search with a leading wildcard (or any ILIKE) on a column without a pg_trgm index scans the table.',
  docs: {
    what:
      'Finds `.ilike(...)`, `.like("%…")`, `.contains(...)` and `.endswith(...)` predicates (and the same in SQL) on a project ' +
      'column that has no GIN or GiST index with the `gin_trgm_ops`/`gist_trgm_ops` operator class.',
    why:
      'A btree index cannot serve a pattern that starts with a wildcard, nor a case-insensitive match, so every search ' +
      'reads the whole table: search endpoints become the slowest requests as the table grows, and they are easy to hammer.',
    instead:
      'Enable pg_trgm and add a trigram GIN index on the column (built concurrently), e.g. in Alembic ' +
      '`op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")` and `op.create_index(..., postgresql_using="gin", ' +
      'postgresql_ops={"col": "gin_trgm_ops"}, postgresql_concurrently=True)`; in Django a `GinIndex(fields=[...], opclasses=["gin_trgm_ops"])` in Meta.indexes, created by a migration running `TrigramExtension()` then `AddIndexConcurrently` with `atomic = False`.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    title: Mapped[str] = mapped_column(String(200), index=True)\n',
      'app/routes.py':
        'from sqlalchemy import select\n\nfrom app.models import Job\n\n\ndef search(session, q):\n    return session.scalars(select(Job).where(Job.title.ilike(f"%{q}%")).limit(20)).all()\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import Index, String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    __table_args__ = (Index("ix_jobs_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),)\n    id: Mapped[int] = mapped_column(primary_key=True)\n    title: Mapped[str] = mapped_column(String(200))\n',
      'app/routes.py':
        'from sqlalchemy import select\n\nfrom app.models import Job\n\n\ndef search(session, q):\n    return session.scalars(select(Job).where(Job.title.ilike(f"%{q}%")).limit(20)).all()\n',
    },
  },
  check(ctx) {
    const { facts } = ctx;
    const hits = new Map<string, { table: Table; column: string; span: Span; op: string; sites: Span[]; orm?: string }>();
    for (const q of facts.queries) {
      for (const p of q.predicates) {
        if (!OPS.has(p.op)) continue;
        const r = resolve(facts, p.table ?? (p.model ? facts.modelTables.get(p.model) : undefined), p.column);
        if (!r || hasTrigramIndex(r.table, r.column)) continue;
        const key = `${r.table.name}.${r.column}`;
        const hit = hits.get(key);
        if (hit) hit.sites.push(p.span);
        else hits.set(key, { ...r, span: p.span, op: p.op, sites: [], orm: q.orm });
      }
    }
    const alembic = facts.migrations.some((m) => m.tool === 'alembic');
    for (const h of hits.values()) {
      const t = h.table.name;
      const c = h.column;
      const name = `ix_${t}_${c}_trgm`;
      const kind = h.op === 'ilike-prefix' ? 'A case-insensitive ILIKE match' : h.op === 'ilike-contains' ? 'An ILIKE search with a leading wildcard' : 'A LIKE search with a leading wildcard';
      const help = isDjango(facts, h.orm)
        ? djangoHelp.trigramIndex(h.table.model, djangoField(h.table, c))
        : trigramHelp(h.table, c) ?? (alembic
        ? `In a new Alembic migration: \`op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")\`, then \`with op.get_context().autocommit_block(): op.create_index("${name}", "${t}", ["${c}"], postgresql_using="gin", postgresql_ops={"${c}": "gin_trgm_ops"}, postgresql_concurrently=True)\`.`
        : h.table.model
          ? `Run \`CREATE EXTENSION IF NOT EXISTS pg_trgm;\` and add \`Index("${name}", "${c}", postgresql_using="gin", postgresql_ops={"${c}": "gin_trgm_ops"})\` to ${h.table.model}.__table_args__ (build it with CREATE INDEX CONCURRENTLY on the live database).`
          : `Run \`CREATE EXTENSION IF NOT EXISTS pg_trgm;\` then \`CREATE INDEX CONCURRENTLY ${name} ON ${t} USING gin (${c} gin_trgm_ops);\`.`);
      ctx.report({
        message: `${kind} on "${t}"."${c}" cannot use a btree index and "${c}" has no pg_trgm index: every search scans the whole "${t}" table.`,
        help,
        span: h.span,
        key: `${t}.${c}`,
        related: h.sites.map((span) => ({ span, message: `also searches "${t}"."${c}"` })),
        data: { table: t, column: c, ddl: `CREATE INDEX CONCURRENTLY ${name} ON ${t} USING gin (${c} gin_trgm_ops)` },
      });
    }
  },
});

function resolve(facts: ProjectFacts, tableName: string | undefined, column: string): { table: Table; column: string } | undefined {
  const table = tableName ? (facts.schema.tables.get(tableName) ?? facts.schema.tables.get(tableName.toLowerCase())) : undefined;
  const col = table ? findColumn(table, column) : undefined;
  return table && col ? { table, column: col.name } : undefined;
}

function hasTrigramIndex(table: Table, column: string): boolean {
  const mentions = new RegExp(`\\b${column}\\b`, 'i');
  return table.indexes.some(
    (ix: Index) =>
      (ix.method === 'gin' || ix.method === 'gist') &&
      ix.keys.some((k) => /_trgm_ops$/i.test(k.opclass ?? '') && (k.column === column || (!!k.expression && mentions.test(k.expression)))),
  );
}
