import type { ProjectFacts, QuerySite, RelationAccess, Relationship, Table } from '../facts';
import { djangoHelp } from '../facts/dialect-help';
import { defineRule, type RuleContext } from '../rule';
import { indirectHelp, nPlusOneDescribe, nPlusOneHelp } from '../sources/typescript/help';
import type { Fix, Span } from '../types';

// Three shapes of the same problem: one query per row of a loop.
//  (a) a query executed inside a loop;
//  (b) a lazy relationship read on each row of a query that did not eager-load it;
//  (c) a loop calling a project function that queries.
// Pagination loops (`while` + LIMIT) fetch a page per iteration on purpose and are not reported.

/** Loading strategies that issue no query when the attribute is touched in a loop. */
const NOT_LAZY = new Set(['selectin', 'joined', 'subquery', 'immediate', 'raise', 'raise_on_sql', 'noload', 'write_only']);

export default defineRule({
  id: 'n-plus-one',
  category: 'performance',
  severity: 'warning',
  summary: 'A query runs once per row of a loop (a query in the loop, a lazy relationship, or a function that queries).',
  docs: {
    what:
      'Finds loops that send one query per iteration: a query executed inside a `for`/`async for`/comprehension, ' +
      'a lazily loaded relationship (`job.company`) read on each row of a query that did not eager-load it, and ' +
      'a loop calling a project function that runs a query. `while` loops that fetch pages with `.limit()` are ' +
      'batching on purpose and are not reported; neither are relationships declared `lazy="selectin"`/`"joined"`, ' +
      'relationships loaded by `.options(selectinload(...))`, or loops over joined `(job, company)` tuples.',
    why:
      'Each iteration is a network round trip and a separate statement: a page of 50 rows becomes 51 queries. ' +
      'Latency grows with the data, the connection pool is held longer, and under AsyncSession a lazy load ' +
      'raises MissingGreenlet at runtime.',
    instead:
      'Load the related rows with the first query: add `.options(selectinload(Model.rel))` (collections) or ' +
      '`joinedload` (many-to-one), or fetch all needed rows at once with `Model.id.in_(ids)` before the loop.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import ForeignKey, String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Company(Base):\n    __tablename__ = "companies"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str] = mapped_column(String(200))\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)\n    company: Mapped[Company] = relationship()\n',
      'app/routes.py':
        'from sqlalchemy import select\n\nfrom app.models import Job\n\n\ndef list_jobs(session):\n    jobs = session.scalars(select(Job).limit(50)).all()\n    return [{"id": job.id, "company": job.company.name} for job in jobs]\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import ForeignKey, String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Company(Base):\n    __tablename__ = "companies"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    name: Mapped[str] = mapped_column(String(200))\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)\n    company: Mapped[Company] = relationship()\n',
      'app/routes.py':
        'from sqlalchemy import select\nfrom sqlalchemy.orm import selectinload\n\nfrom app.models import Job\n\n\ndef list_jobs(session):\n    jobs = session.scalars(select(Job).options(selectinload(Job.company)).limit(50)).all()\n    return [{"id": job.id, "company": job.company.name} for job in jobs]\n',
    },
  },
  check(ctx) {
    const { facts } = ctx;
    const queryById = new Map(facts.queries.map((q) => [q.id, q]));

    // (a) A query executed inside a loop.
    for (const q of facts.queries) {
      if (!q.executes || !q.loop || isBatching(q)) continue;
      const what = nPlusOneDescribe(q) ?? describe(q);
      ctx.report({
        message: `${what} runs once per iteration of \`${loopHeader(q.loop.iterable, q.loop.kind)}\`: N rows cost N round trips, and the loop's latency grows with the data.`,
        help: nPlusOneHelp(q) ?? (q.operation === 'get' || q.predicates.some((p) => p.op === 'eq')
          ? `Fetch all rows before the loop in one query (e.g. \`select(${q.models[0] ?? 'Model'}).where(${q.models[0] ?? 'Model'}.id.in_(ids))\`) and look them up in a dict, or eager-load the relationship with \`.options(selectinload(...))\` on the query that produced the loop's rows.`
          : 'Move the query out of the loop: fetch everything the loop needs in one query (`.in_(ids)`, a join, or `.options(selectinload(...))`).'),
        span: q.span,
        related: [{ span: q.loop.span, message: 'the loop' }],
        data: { kind: 'query-in-loop', models: q.models },
      });
    }

    // (b) Lazy relationships read on each row.
    const seen = new Set<string>();
    for (const a of facts.relationAccesses) {
      if (a.eagerLoaded) continue;
      const rel = lazyRelationship(facts, a);
      if (!rel) continue;
      const key = `${a.loop.span.file}:${a.loop.span.start}:${a.model}.${a.relationship}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const source = a.loadedBy ? queryById.get(a.loadedBy) : undefined;
      const loader = 'selectinload';
      const option = `.options(${loader}(${a.model}.${a.relationship}))`;
      // Django: every relation is loaded lazily unless the queryset select_related/prefetch_related it.
      const django = source?.orm === 'django';
      const related: { span: Span; message: string }[] = [];
      if (source) related.push({ span: source.span, message: `the query that loaded the ${a.model} rows does not eager-load "${a.relationship}"` });
      if (rel.rel.span) related.push({ span: rel.rel.span, message: django ? `${a.model}.${a.relationship} is declared here` : `${a.model}.${a.relationship} is lazy="${rel.rel.lazy}"` });
      const loop = loopHeader(a.loop.iterable, a.loop.kind);
      ctx.report({
        message: django
          ? `\`${a.model}.${a.relationship}\` is a related ${rel.rel.uselist === false ? 'object' : 'manager'} loaded lazily, read on every row of \`${loop}\`: one extra SELECT per ${a.model} row.`
          : `\`${a.model}.${a.relationship}\` is a lazy relationship (lazy="${rel.rel.lazy}") read on every row of \`${loop}\`: one extra SELECT per ${a.model} row (and under AsyncSession, a MissingGreenlet error).`,
        help: django ? djangoHelp.eagerLoad(a.relationship, rel.rel.uselist) : `Eager-load it on the query that produced the rows: add \`${option}\` (from sqlalchemy.orm import ${loader}).`,
        span: a.span,
        key: `${a.model}.${a.relationship}@${a.functionName ?? ''}`,
        related,
        fix: source && !django ? optionsFix(ctx, source, option, loader) : undefined,
        data: { kind: 'lazy-relationship', model: a.model, relationship: a.relationship, table: rel.table.name },
      });
    }

    // (c) A loop calling a project function that queries.
    const calls = new Set<string>();
    for (const ind of facts.indirectLoopQueries) {
      const key = `${ind.call.span.file}:${ind.call.loop.span.start}:${ind.call.callee}`;
      if (calls.has(key)) continue;
      calls.add(key);
      const chain = ind.chain.map((c) => c.split('.').pop()).join(' → ');
      ctx.report({
        message: `\`${ind.call.callee}()\` is called once per iteration of \`${loopHeader(ind.call.loop.iterable, ind.call.loop.kind)}\` and runs a query (${chain} → ${nPlusOneDescribe(ind.query) ?? describe(ind.query)}): N iterations cost N round trips.`,
        help: indirectHelp(ind.call.callee, ind.query) ?? `Fetch what \`${ind.call.callee}\` needs for all items before the loop (one query with \`.in_(ids)\` or \`.options(selectinload(...))\`) and pass the rows in.`,
        span: ind.call.span,
        related: [{ span: ind.query.span, message: `the query ${ind.call.callee} runs` }],
        data: { kind: 'indirect', chain: ind.chain },
      });
    }
  },
});

/** `while` loops that fetch a bounded page per iteration are pagination, not N+1. */
function isBatching(q: QuerySite): boolean {
  return q.loop?.kind === 'while' && q.limited;
}

function describe(q: QuerySite): string {
  const model = q.models[0];
  if (q.operation === 'get') return `\`session.get(${model ?? '…'}, …)\``;
  if (q.operation === 'raw') return 'A raw SQL query';
  const verb = q.operation === 'select' || q.operation === 'unknown' ? 'SELECT' : q.operation.toUpperCase();
  const cols = q.predicates.length ? ` filtered on ${[...new Set(q.predicates.map((p) => `${p.model ?? p.table}.${p.column}`))].join(', ')}` : '';
  return model ? `A ${verb} on ${model}${cols}` : `A ${verb} query`;
}

function loopHeader(iterable: string | undefined, kind: string): string {
  if (!iterable) return `the ${kind} loop`;
  const it = iterable.length > 60 ? `${iterable.slice(0, 57)}…` : iterable;
  return kind === 'while' ? `while ${it}` : `for … in ${it}`;
}

function lazyRelationship(facts: ProjectFacts, a: RelationAccess): { table: Table; rel: Relationship } | undefined {
  const tableName = facts.modelTables.get(a.model);
  const table = tableName ? facts.schema.tables.get(tableName) : undefined;
  const rel = table?.relationships.find((r) => r.name === a.relationship);
  if (!table || !rel) return undefined;
  if (NOT_LAZY.has(rel.lazy)) return undefined;
  return { table, rel };
}

/** Inserts `.options(selectinload(M.rel))` right after the `select(...)` the rows came from. */
function optionsFix(ctx: RuleContext, q: QuerySite, option: string, loader: string): Fix | undefined {
  if (q.builder !== 'select' || !q.rootSpan) return undefined;
  const file = q.rootSpan.file;
  const text = ctx.text(file);
  if (text === undefined || text.slice(q.rootSpan.start, q.rootSpan.start + 6) !== 'select') return undefined;
  const edits = [{ file, start: q.rootSpan.end, end: q.rootSpan.end, newText: option }];
  if (!new RegExp(`\\b${loader}\\b`).test(text)) {
    const at = importOffset(text);
    edits.unshift({ file, start: at, end: at, newText: `from sqlalchemy.orm import ${loader}\n` });
  }
  return { title: `Eager-load with ${option}`, edits };
}

/** Where a new import line goes: before the first `from sqlalchemy`/`import` line after any __future__ import. */
function importOffset(text: string): number {
  const lines = text.split('\n');
  let offset = 0;
  let candidate = -1;
  for (const line of lines) {
    if (/^from\s+__future__\s/.test(line)) candidate = offset + line.length + 1;
    else if (/^(from|import)\s/.test(line)) return offset;
    offset += line.length + 1;
  }
  return Math.max(0, Math.min(candidate, text.length));
}
