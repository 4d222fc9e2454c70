import type { LoopRef, ProjectFacts, QuerySite, RelationAccess, Relationship, Table } from '../facts';
import { djangoHelp, isDjango } from '../facts/dialect-help';
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
  summary: 'A query runs once per row of a loop (a query or write in the loop, a lazy relationship read in the loop or in a function given the row, or a function that queries).',
  docs: {
    what:
      'Finds loops that send one query per iteration: a query executed inside a `for`/`async for`/comprehension, ' +
      'a lazily loaded relationship (`job.company`) read on each row of a query that did not eager-load it — in the ' +
      'loop itself or inside a project function the loop hands the row to (`[to_out(job) for job in jobs]`, ' +
      '`job.summary()`, followed up to three calls deep and across modules) — and a loop calling a project function ' +
      'that runs a query. A loop that reads and writes is reported once. `while` loops that fetch pages with `.limit()` are ' +
      'batching on purpose and are not reported; neither are relationships declared `lazy="selectin"`/`"joined"`, ' +
      'relationships loaded by `.options(selectinload(...))`, or loops over joined `(job, company)` tuples.',
    why:
      'Each iteration is a network round trip and a separate statement: a page of 50 rows becomes 51 queries. ' +
      'Latency grows with the data, the connection pool is held longer, and under AsyncSession a lazy load ' +
      'raises MissingGreenlet at runtime.',
    instead:
      'Load the related rows with the first query: add `.options(selectinload(Model.rel))` (collections) or ' +
      '`joinedload` (many-to-one) — Django: `select_related`/`prefetch_related` — or fetch all needed rows at once ' +
      'with `Model.id.in_(ids)` before the loop. Write in one statement after the loop: `session.add_all(objs)` or ' +
      '`session.execute(insert(Model), rows)`, Django `bulk_create`, Prisma `createMany`.',
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
    const loopKey = (l: LoopRef) => `${l.span.file}:${l.span.start}`;
    const spanKey = (s: Span) => `${s.file}:${s.start}`;

    // Lazy relationships read on each row, directly in the loop (not through a helper), keyed for the
    // checks below: a related-manager query on the same attribute folds into them.
    const direct = facts.relationAccesses.filter((a) => !a.via && !a.eagerLoaded && lazyRelationship(facts, a));
    const accessText = (a: RelationAccess) => ctx.text(a.span.file)?.slice(a.span.start, a.span.end);
    /** `p.images.first()` in a loop where `p.images` is itself reported: one finding, on the access. */
    const managerQueries = new Map<string, QuerySite[]>();
    const foldedQueries = new Set<QuerySite>();
    for (const q of facts.queries) {
      if (!q.executes || !q.loop || q.orm !== 'django' || q.models.length) continue;
      const a = direct.find((x) => loopKey(x.loop) === loopKey(q.loop!) && x.span.file === q.span.file && q.code.startsWith(`${accessText(x)}.`));
      if (!a) continue;
      foldedQueries.add(q);
      managerQueries.set(spanKey(a.span), [...(managerQueries.get(spanKey(a.span)) ?? []), q]);
    }

    // (a) A query executed inside a loop. Writes in a loop that also reads fold into the read's finding
    //     (one loop, one finding); a loop that only writes is reported once, at its first write.
    const inLoops = facts.queries.filter((q) => q.executes && q.loop && !isBatching(q) && !foldedQueries.has(q));
    const byLoop = new Map<string, QuerySite[]>();
    for (const q of inLoops) byLoop.set(loopKey(q.loop!), [...(byLoop.get(loopKey(q.loop!)) ?? []), q]);
    for (const group of byLoop.values()) {
      const writes = group.filter(isWrite);
      const reads = group.filter((q) => !isWrite(q));
      const reported = reads.length ? reads : writes.slice(0, 1);
      for (const [i, q] of reported.entries()) {
        const loop = q.loop!;
        const folded = i === 0 ? (reads.length ? writes : writes.slice(1)) : [];
        const related = [{ span: loop.span, message: 'the loop' }, ...folded.map((w) => ({ span: w.span, message: `${describeQuery(w)} also runs once per iteration` }))];
        const also = folded.length ? ` ${folded.length === 1 ? `${describeQuery(folded[0])} (line ${folded[0].span.line}) also runs` : `${folded.length} more writes also run`} on every iteration.` : '';
        ctx.report({
          message: `${describeQuery(q)} runs once per iteration of \`${loopHeader(loop.iterable, loop.kind)}\`: N rows cost N round trips, and the loop's latency grows with the data.${also}`,
          help: isWrite(q) ? writeHelp(q, folded) : checkThenInsertHelp(q, folded) ?? [readHelp(facts, q), ...writeFollowUp(folded)].join(' '),
          span: q.span,
          related,
          data: { kind: 'query-in-loop', models: q.models },
        });
      }
    }

    // (b) Lazy relationships read on each row.
    const seen = new Set<string>();
    for (const a of direct) {
      const rel = lazyRelationship(facts, a)!;
      const key = `${loopKey(a.loop)}.${a.model}.${a.relationship}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const source = a.loadedBy ? queryById.get(a.loadedBy) : undefined;
      const loader = 'selectinload';
      const option = `.options(${loader}(${a.model}.${a.relationship}))`;
      // Django: every relation is loaded lazily unless the queryset select_related/prefetch_related it.
      const django = source?.orm === 'django';
      const related: { span: Span; message: string }[] = [];
      if (source) related.push({ span: source.span, message: `the query that loaded the ${a.through ? source.models[0] ?? 'parent' : a.model} rows does not eager-load "${a.through ? `${a.through}.` : ''}${a.relationship}"` });
      if (rel.rel.span) related.push({ span: rel.rel.span, message: django ? `${a.model}.${a.relationship} is declared here` : `${a.model}.${a.relationship} is lazy="${rel.rel.lazy}"` });
      const managers = managerQueries.get(spanKey(a.span)) ?? [];
      for (const q of managers) related.push({ span: q.span, message: `\`${outline(q.code)}\` queries on every row, even after prefetch_related` });
      const loop = loopHeader(a.loop.iterable, a.loop.kind);
      let help = django ? djangoHelp.eagerLoad(a.relationship, rel.rel.uselist) : `Eager-load it on the query that produced the rows: add \`${option}\` (from sqlalchemy.orm import ${loader}).`;
      if (django && a.through) help = throughHelp(a, rel.rel, source);
      if (managers.length) help = `${help.replace(/\.?$/, '.')} Then read the prefetched rows instead of calling \`${managers.map((q) => `.${lastMethod(q.code)}()`).filter((m, i, xs) => xs.indexOf(m) === i).join('`/`')}\`, which starts a new query (e.g. \`items = list(${accessText(a)}.all())\`, then \`items[0] if items else None\`).`;
      ctx.report({
        message: django
          ? `\`${a.model}.${a.relationship}\` is a related ${rel.rel.uselist === false ? 'object' : 'manager'} loaded lazily, read on every row of \`${loop}\`: one extra SELECT per ${a.model} row.`
          : `\`${a.model}.${a.relationship}\` is a lazy relationship (lazy="${rel.rel.lazy}") read on every row of \`${loop}\`: one extra SELECT per ${a.model} row (and under AsyncSession, a MissingGreenlet error).`,
        help,
        span: a.span,
        key: `${a.model}.${a.relationship}@${a.functionName ?? ''}`,
        related,
        fix: source && !django && !a.through ? optionsFix(ctx, source, option, loader) : undefined,
        data: { kind: 'lazy-relationship', model: a.model, relationship: a.relationship, table: rel.table.name },
      });
    }

    // (b') Lazy relationships read inside a function the loop calls with the row (`task_to_out(t)`), one
    //      finding per call listing them. A call already reported as running a query (c) is not repeated.
    const indirectCalls = new Set(facts.indirectLoopQueries.map((ind) => spanKey(ind.call.span)));
    const viaByCall = new Map<string, { a: RelationAccess; rel: Relationship }[]>();
    for (const a of facts.relationAccesses) {
      if (!a.via || a.eagerLoaded || indirectCalls.has(spanKey(a.span))) continue;
      const rel = lazyRelationship(facts, a)?.rel;
      // A dynamic relationship builds a query object when read; the query it runs is found where it executes.
      if (!rel || rel.lazy === 'dynamic' || seen.has(`${loopKey(a.loop)}.${a.model}.${a.relationship}`)) continue;
      const list = viaByCall.get(spanKey(a.span)) ?? [];
      if (!list.some((x) => x.a.relationship === a.relationship)) list.push({ a, rel });
      viaByCall.set(spanKey(a.span), list);
    }
    for (const list of viaByCall.values()) {
      const { a } = list[0];
      const via = a.via!;
      const source = a.loadedBy ? queryById.get(a.loadedBy) : undefined;
      const django = source?.orm === 'django';
      const chain = via.chain.map((c) => c.split('.').pop()).join(' → ');
      const reads = list.map(({ a: x }) => `\`${x.model}.${x.relationship}\` (${x.via!.read.file}:${x.via!.read.line})`).join(', ');
      const plural = list.length > 1;
      const related: { span: Span; message: string }[] = list.map(({ a: x, rel }) => ({
        span: x.via!.read,
        message: `${x.model}.${x.relationship} read here${django ? '' : ` (lazy="${rel.lazy}")`}`,
      }));
      if (source) related.push({ span: source.span, message: `the query that loaded the ${a.model} rows does not eager-load ${list.map((x) => `"${x.a.relationship}"`).join(', ')}` });
      const options = list.map(({ a: x }) => `selectinload(${x.model}.${x.relationship})`);
      const option = `.options(${options.join(', ')})`;
      ctx.report({
        message:
          `\`${via.callee}()\` is called on every row of \`${loopHeader(a.loop.iterable, a.loop.kind)}\` and reads ` +
          `${django ? (plural ? 'lazily loaded relations' : 'a lazily loaded relation') : plural ? 'lazy relationships' : 'a lazy relationship'} of each ${a.model} inside it` +
          `${via.chain.length > 1 ? ` (${chain})` : ''}: ${reads}. That is ${plural ? `${list.length} extra SELECTs` : 'one extra SELECT'} per ${a.model} row.`,
        help: django
          ? djangoEagerHelp(list.map((x) => x.rel))
          : `Eager-load ${plural ? 'them' : 'it'} on the query that produced the rows: add \`${option}\` (from sqlalchemy.orm import selectinload).`,
        span: a.span,
        key: `${via.callee}(${a.model})@${a.functionName ?? ''}`,
        related,
        fix: source && !django ? optionsFix(ctx, source, option, 'selectinload') : undefined,
        data: { kind: 'lazy-relationship-via-call', model: a.model, relationships: list.map((x) => x.a.relationship), chain: via.chain },
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
        message: `\`${ind.call.callee}()\` is called once per iteration of \`${loopHeader(ind.call.loop.iterable, ind.call.loop.kind)}\` and runs a query (${chain} → ${describeQuery(ind.query)}): N iterations cost N round trips.`,
        help:
          indirectHelp(ind.call.callee, ind.query) ??
          (ind.query.orm === 'django'
            ? `Fetch what \`${ind.call.callee}\` needs for all items before the loop (one queryset with \`filter(pk__in=ids)\`, or \`prefetch_related\`/\`annotate\` on the list query) and pass the rows in.`
            : `Fetch what \`${ind.call.callee}\` needs for all items before the loop (one query with \`.in_(ids)\` or \`.options(selectinload(...))\`) and pass the rows in.`),
        span: ind.call.span,
        related: [{ span: ind.query.span, message: `the query ${ind.call.callee} runs` }],
        data: { kind: 'indirect', chain: ind.chain },
      });
    }
  },
});

const WRITES = new Set(['insert', 'update', 'delete']);
const isWrite = (q: QuerySite) => WRITES.has(q.operation);

/** How a query in a loop is named in messages, in the dialect of its ORM. */
function describeQuery(q: QuerySite): string {
  if (q.orm === 'django' && q.operation !== 'raw') return `\`${outline(q.code)}\``;
  return nPlusOneDescribe(q) ?? describe(q);
}

/** How to batch a read that runs once per iteration. */
function readHelp(facts: ProjectFacts, q: QuerySite): string {
  const js = nPlusOneHelp(q);
  if (js) return js;
  const m = q.models[0] ?? 'Model';
  const col = q.predicates.find((p) => p.op === 'eq')?.column;
  if (q.orm === 'django') {
    const manager = /^\w+\.(\w+)\.(\w+)\(/.exec(q.code);
    if (manager && !q.models.length) {
      const rows = q.code.slice(0, q.code.indexOf(`.${manager[2]}(`));
      return `\`.${manager[2]}()\` on a related manager starts a new query even when "${manager[1]}" is prefetched: prefetch it (\`prefetch_related("${manager[1]}")\`, or \`Prefetch("${manager[1]}", queryset=…, to_attr=…)\` for a filtered subset) and read the cached rows (\`items = list(${rows}.all())\`, then \`items[0] if items else None\`).`;
    }
    if (!col && !q.models.length) return 'Move the query out of the loop: fetch what every iteration needs in one queryset (`filter(<field>__in=values)`, `prefetch_related`, or `annotate` for counts).';
    const byPk = !col || col === 'id' || col === 'pk';
    const lookup = byPk ? 'pk__in' : `${col}__in`;
    const values = byPk ? 'ids' : plural(col!);
    if (q.operation === 'count' && !byPk) {
      return `Count for all of them in one query: \`${m}.objects.filter(${lookup}=${values}).values("${col}").annotate(n=Count("pk"))\` (or \`.annotate(Count(...))\` on the list query) and look the counts up in a dict.`;
    }
    const locks = /select_for_update/.test(q.code);
    return locks
      ? `Lock and fetch all rows before the loop in one query — \`${m}.objects.select_for_update().filter(${lookup}=${values}).order_by("pk")\` (a fixed lock order also avoids deadlocks) — and look them up in a dict.`
      : `Fetch all rows before the loop in one query — \`${m}.objects.in_bulk(${values}${byPk ? '' : `, field_name="${col}"`})\` or \`filter(${lookup}=${values})\` — and look them up in a dict.`;
  }
  if (isDjango(facts, q.orm)) return 'Move the query out of the loop: fetch everything the loop needs in one query (`WHERE id = ANY(%s)` with a list of ids) and look rows up in a dict.';
  if (q.operation === 'count' && col && col !== 'id') {
    const others = q.predicates.some((p) => p.column !== col) ? ', …' : '';
    return `Count for all of them in one query: \`select(${m}.${col}, func.count()).where(${m}.${col}.in_(${plural(col)})${others}).group_by(${m}.${col})\` before the loop, and look the counts up in a dict (rows with no match are missing from it: default to 0).`;
  }
  if (q.operation === 'get' || col) {
    const c = col ?? 'id';
    return `Fetch all rows before the loop in one query (e.g. \`select(${m}).where(${m}.${c}.in_(${plural(c)}))\`) and look them up in a dict, or eager-load the relationship with \`.options(selectinload(...))\` on the query that produced the loop's rows.`;
  }
  return 'Move the query out of the loop: fetch everything the loop needs in one query (`.in_(ids)`, a join, or `.options(selectinload(...))`).';
}

/** How to batch writes made once per iteration: one multi-row statement after the loop. */
function writeHelp(q: QuerySite, more: QuerySite[] = []): string {
  const m = q.models[0] ?? 'Model';
  const acc = m[0].toLowerCase() + m.slice(1);
  const tail = more.length ? ` Batch the other ${more.length === 1 ? 'write' : 'writes'} in the loop the same way.` : '';
  const by = (orm: string): Record<'insert' | 'update' | 'delete', string> => {
    switch (orm) {
      case 'django':
        return {
          insert: `Build the objects in the loop and insert them with one \`${m}.objects.bulk_create(objs)\` after it.`,
          update: `Collect the changed objects and save them with one \`${m}.objects.bulk_update(objs, [fields])\`, or one \`${m}.objects.filter(pk__in=ids).update(...)\` when the new values are the same.`,
          delete: `Delete them with one \`${m}.objects.filter(pk__in=ids).delete()\`.`,
        };
      case 'prisma':
        return {
          insert: `Collect the rows and insert them with one \`prisma.${acc}.createMany({ data: rows })\`.`,
          update: `Use one \`prisma.${acc}.updateMany({ where: { id: { in: ids } }, data })\` when the new values are the same; otherwise batch the updates in one \`prisma.$transaction([...])\`.`,
          delete: `Delete them with one \`prisma.${acc}.deleteMany({ where: { id: { in: ids } } })\`.`,
        };
      case 'typeorm':
        return { insert: 'Insert them with one `repo.insert(rows)` (a multi-row INSERT).', update: 'Update them with one `repo.update({ id: In(ids) }, values)`, or `repo.save(entities)` in one call.', delete: 'Delete them with one `repo.delete({ id: In(ids) })`.' };
      case 'sequelize':
        return { insert: `Insert them with one \`${m}.bulkCreate(rows)\`.`, update: `Update them with one \`${m}.update(values, { where: { id: ids } })\`.`, delete: `Delete them with one \`${m}.destroy({ where: { id: ids } })\`.` };
      case 'knex':
        return { insert: `Insert them with one \`knex('${q.tables[0] ?? 'table'}').insert(rows)\` (a multi-row INSERT).`, update: "Update them with one `.whereIn('id', ids).update(values)`.", delete: "Delete them with one `.whereIn('id', ids).del()`." };
      case 'drizzle':
        return { insert: 'Insert them with one `db.insert(table).values(rows)`.', update: 'Update them with one `db.update(table).set(values).where(inArray(table.id, ids))`.', delete: 'Delete them with one `db.delete(table).where(inArray(table.id, ids))`.' };
      case 'pg':
      case 'asyncpg':
      case 'dbapi':
        return { insert: 'Insert all rows in one statement: a multi-row `INSERT … VALUES (…), (…)` or `INSERT … SELECT * FROM unnest($1::int[], $2::text[])`.', update: 'Update all rows in one statement: `UPDATE … FROM unnest(…)` or `WHERE id = ANY($1)`.', delete: 'Delete all rows in one statement: `DELETE … WHERE id = ANY($1)`.' };
      default:
        return {
          insert: `Build the objects in the loop and add them with one \`session.add_all(objs)\` (or one \`session.execute(insert(${m}), [dict, …])\`, an executemany) after it.`,
          update: `Send one bulk UPDATE: \`session.execute(update(${m}), [{"id": …, …}, …])\` (by primary key), or \`update(${m}).where(${m}.id.in_(ids))\` when the new values are the same.`,
          delete: `Delete them with one \`delete(${m}).where(${m}.id.in_(ids))\`.`,
        };
    }
  };
  return `${by(q.orm)[q.operation as 'insert' | 'update' | 'delete']}${tail}`;
}

/**
 * A lookup then an insert of the same model on every iteration is a check-then-insert: one insert that
 * skips the rows that already exist replaces both (batching the lookup alone would still insert row by row).
 */
function checkThenInsertHelp(read: QuerySite, writes: QuerySite[]): string | undefined {
  const w = writes.find((x) => x.operation === 'insert' && !!read.models[0] && x.models[0] === read.models[0]);
  if (!w) return undefined;
  const m = w.models[0]!;
  switch (w.orm) {
    case 'prisma':
      return `The lookup only guards the \`create\`: replace both with one \`prisma.${m[0].toLowerCase()}${m.slice(1)}.createMany({ data: rows, skipDuplicates: true })\` after the loop, relying on a unique index over the looked-up fields (add one if it is missing).`;
    case 'django':
      return `The lookup only guards the insert: replace both with one \`${m}.objects.bulk_create(objs, ignore_conflicts=True)\` after the loop, relying on a unique constraint over the looked-up fields (add one if it is missing).`;
    case 'sqlalchemy':
    case 'sqlalchemy-legacy':
      return `The lookup only guards the insert: replace both with one \`session.execute(pg_insert(${m}).values(rows).on_conflict_do_nothing())\` after the loop (from sqlalchemy.dialects.postgresql import insert as pg_insert), relying on a unique constraint over the looked-up columns (add one if it is missing).`;
    default:
      return undefined;
  }
}

/** The help for writes folded into a read's finding. */
function writeFollowUp(writes: QuerySite[]): string[] {
  if (!writes.length) return [];
  const help = writeHelp(writes[0], writes.slice(1));
  return [`For the write${writes.length > 1 ? 's' : ''} in the same loop: ${help[0].toLowerCase()}${help.slice(1)}`];
}

/** `for i in order.items.all(): i.product`: join the relation on the loop's own queryset. */
function throughHelp(a: RelationAccess, rel: Relationship, source: QuerySite | undefined): string {
  const method = rel.uselist === false ? 'select_related' : 'prefetch_related';
  const it = a.loop.iterable ?? '';
  const inLoop = /\.all\(\)$/.test(it) ? `iterate \`${it.replace(/\.all\(\)$/, `.${method}("${a.relationship}")`)}\`` : `add \`.${method}("${a.relationship}")\` to the loop's queryset`;
  return `Eager-load it where the rows are fetched: ${inLoop}${source ? ` (or \`.prefetch_related("${a.through}__${a.relationship}")\` on the query that loaded the ${source.models[0] ?? 'parent'})` : ''}.`;
}

/** Django eager loading for several relations: select_related for single objects, prefetch_related for the rest. */
function djangoEagerHelp(rels: Relationship[]): string {
  if (rels.length === 1) return djangoHelp.eagerLoad(rels[0].name, rels[0].uselist);
  const one = rels.filter((r) => r.uselist === false).map((r) => `"${r.name}"`);
  const many = rels.filter((r) => r.uselist !== false).map((r) => `"${r.name}"`);
  return `Eager-load them on the queryset: ${[one.length ? `.select_related(${one.join(', ')})` : '', many.length ? `.prefetch_related(${many.join(', ')})` : ''].join('')}`;
}

/** A call chain with its arguments elided: `Product.objects.select_for_update().get(pk=x)` → `Product.objects.select_for_update().get(…)`. */
function outline(code: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch === '(' || ch === '[') {
      if (depth === 0) {
        const close = ch === '(' ? ')' : ']';
        out += ch;
        if (code.slice(i + 1).trimStart()[0] !== close) out += '…';
      }
      depth++;
    } else if (ch === ')' || ch === ']') {
      depth--;
      if (depth === 0) out += ch;
    } else if (depth === 0 && !/\s/.test(ch)) out += ch;
  }
  return out.length > 80 ? `${out.slice(0, 77)}…` : out;
}

function lastMethod(code: string): string {
  const m = /\.(\w+)\([^()]*\)\s*$/.exec(outline(code).replace(/…/g, ''));
  return m?.[1] ?? 'query';
}

function plural(col: string): string {
  return col.endsWith('s') ? `${col}es` : `${col}s`;
}

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
  const article = /^[AEIOU]/.test(verb) ? 'An' : 'A';
  return model ? `${article} ${verb} on ${model}${cols}` : `${article} ${verb} query`;
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
