import * as assert from 'assert';
import { analyzeFiles, type QuerySite } from '../../src/engine';
import { ready$ } from '../helpers';

// Facts from the Python query extractor: query sites (2.0 select chains, legacy Query API, Flask-SQLAlchemy),
// predicates, eager loads, loops, relationship accesses on loop rows, functions and calls in loops.

const facts = (text: string, path = 'app/routes.py', extra: Record<string, string> = {}) =>
  analyzeFiles([{ path, text }, ...Object.entries(extra).map(([p, t]) => ({ path: p, text: t }))]).facts;
const preds = (q: QuerySite) => q.predicates.map((p) => `${p.model}.${p.column}:${p.op}`);

describe('python query extraction', () => {
  before(ready$);

  it('reads predicate ops from a select chain executed by the session', () => {
    const f = facts(`
from sqlalchemy import and_, or_, select, func
async def q(session, a, ids, q):
    return await session.execute(
        select(Job).where(Job.status == "open", Job.id != a, Job.salary >= 10, Job.id.in_(ids), Job.closed_at.is_(None))
        .filter(and_(Job.created_at.between(a, q), or_(Job.code.like("ab%"), Job.title.like(f"%{q}%"))))
        .filter(Job.title.ilike(q + "%"), Job.location.ilike("%" + q), Job.body.contains(q), func.lower(Job.email) == q)
        .filter_by(company_id=a)
    )
`);
    assert.strictEqual(f.queries.length, 1);
    const q = f.queries[0];
    assert.strictEqual(q.executes, true);
    assert.strictEqual(q.orm, 'sqlalchemy');
    assert.deepStrictEqual(q.models, ['Job']);
    assert.deepStrictEqual(preds(q), [
      'Job.status:eq', 'Job.id:other', 'Job.salary:range', 'Job.id:in', 'Job.closed_at:null',
      'Job.created_at:range', 'Job.code:like-prefix', 'Job.title:like-contains',
      'Job.title:ilike-prefix', 'Job.location:ilike-contains', 'Job.body:like-contains', 'Job.email:other',
      'Job.company_id:eq',
    ]);
    assert.strictEqual(q.predicates.find((p) => p.column === 'email')?.expression, 'lower');
  });

  it('follows a statement built in a variable and reassigned, and reports it once at the execution', () => {
    const f = facts(`
from sqlalchemy import select, desc
from sqlalchemy.orm import selectinload, joinedload
async def q(session, closed):
    stmt = select(Job).options(selectinload(Job.tags).selectinload(Tag.owner), joinedload(Job.company)).where(Job.company_id == 1)
    if not closed:
        stmt = stmt.where(Job.status == "open")
    stmt = stmt.order_by(desc(Job.created_at), Job.id.asc()).limit(10)
    return (await session.scalars(stmt)).all()
`);
    assert.strictEqual(f.queries.length, 1);
    const q = f.queries[0];
    assert.match(q.code, /session\.scalars\(stmt\)/);
    assert.deepStrictEqual(preds(q), ['Job.company_id:eq', 'Job.status:eq']);
    assert.deepStrictEqual(q.orderBy.map((o) => o.column), ['created_at', 'id']);
    assert.deepStrictEqual(q.eagerLoads, ['tags', 'tags.owner', 'company']);
    assert.strictEqual(q.limited, true);
    assert.ok(q.rootSpan && q.builder === 'select');
  });

  it('keeps statements that are built but not executed here, with executes false', () => {
    const f = facts(`
from sqlalchemy import select
def open_jobs():
    stmt = select(Job).where(Job.status == "open")
    stmt = stmt.where(Job.remote.is_(True))
    return stmt
`);
    assert.strictEqual(f.queries.length, 1);
    assert.strictEqual(f.queries[0].executes, false);
    assert.deepStrictEqual(preds(f.queries[0]), ['Job.status:eq', 'Job.remote:other']);
  });

  it('reads the legacy Query API and Flask-SQLAlchemy Model.query', () => {
    const f = facts(`
def views(db, session, x):
    a = session.query(User).filter(User.email == x).filter_by(active=True).order_by(User.id).first()
    b = User.query.filter_by(card=x).all()
    c = User.query.get(x)
    d = db.session.query(User).count()
    e = member.loans.filter(Loan.returned_at.is_(None)).count()
    f = request.args.get("q")
    return a, b, c, d, e, f
`);
    const byLine = f.queries.map((q) => `${q.span.line} ${q.orm} ${q.operation} ${q.models.join()} ${q.executes}`);
    assert.deepStrictEqual(byLine, [
      '3 sqlalchemy-legacy select User true',
      '4 sqlalchemy-legacy select User true',
      '5 sqlalchemy-legacy get User true',
      '6 sqlalchemy-legacy count User true',
      '7 sqlalchemy-legacy count Loan true',
    ]);
    assert.deepStrictEqual(preds(f.queries[0]), ['User.email:eq', 'User.active:eq']);
    assert.strictEqual(f.queries[0].limited, true);
  });

  it('records the innermost loop of each query (for, async for, while, comprehension) within its function', () => {
    const f = facts(`
from sqlalchemy import select
async def f(session, ids):
    for i in ids:
        await session.get(Job, i)
    async for row in stream():
        await session.scalar(select(Job).where(Job.id == row))
    while True:
        session.execute(select(Job).limit(10))
    return [session.get(Job, i) for i in ids]
def outer():
    for x in range(3):
        def inner(session):
            return session.get(Job, 1)
`);
    assert.deepStrictEqual(f.queries.map((q) => q.loop?.kind ?? 'none'), ['for', 'async-for', 'while', 'comprehension', 'none']);
    assert.strictEqual(f.queries[0].functionName, 'app.routes.f');
  });

  it('links relationship reads in a loop to the query that produced the rows', () => {
    const f = facts(`
from sqlalchemy import select
from sqlalchemy.orm import selectinload
async def f(session):
    result = await session.execute(select(Job).options(selectinload(Job.tags)))
    jobs = result.scalars().all()
    for job in jobs:
        print(job.company.name, len(job.tags))
        job.status = "x"
        job.save()
    rows = await session.execute(select(Job, Company).join(Company))
    return [(job.company, company.name) for job, company in rows]
`);
    const acc = f.relationAccesses.map((a) => `${a.model}.${a.relationship}:${a.eagerLoaded}:${a.loop.kind}`);
    assert.deepStrictEqual(acc, ['Job.company:false:for', 'Job.tags:true:for', 'Job.company:true:comprehension', 'Company.name:false:comprehension']);
    assert.strictEqual(f.relationAccesses[0].loadedBy, f.queries[0].id);
  });

  it('records functions, what they call, and calls made inside loops', () => {
    const f = facts(`
from sqlalchemy import select
from app import services
import logging
async def load(session, i):
    return await session.scalar(select(User).where(User.id == i))
async def loop(session, ids, books):
    for i in ids:
        await load(session, i)
        services.notify(i)
        logging.info("x")
        print(i)
    return [b.available_copies() for b in books]
`);
    assert.deepStrictEqual(f.functions.map((x) => `${x.name}:${x.queries}:${x.calls.join('|')}`), ['load:true:', 'loop:false:load|notify']);
    assert.deepStrictEqual(f.callsInLoops.map((c) => c.callee), ['load', 'notify', 'available_copies']);
    assert.deepStrictEqual(f.indirectLoopQueries.map((q) => q.chain), [['app.routes.load']]);
  });
});

describe('n-plus-one fix', () => {
  before(ready$);

  it('inserts .options(selectinload(...)) into the source query; the result re-parses and is silent', () => {
    const models = `from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Company(Base):
    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    company: Mapped[Company] = relationship()
`;
    const routes = `from __future__ import annotations

from sqlalchemy import select

from app.models import Job


async def list_jobs(session):
    stmt = select(Job).limit(10)
    jobs = (await session.scalars(stmt)).all()
    return [job.company.id for job in jobs]
`;
    const run = (text: string) => analyzeFiles([{ path: 'app/models.py', text: models }, { path: 'app/routes.py', text }]);
    const before = run(routes).findings.filter((f) => f.rule === 'n-plus-one');
    assert.strictEqual(before.length, 1);
    const fix = before[0].fix!;
    assert.ok(fix, 'a fix is offered');
    let fixed = routes;
    for (const e of [...fix.edits].sort((a, b) => b.start - a.start)) fixed = fixed.slice(0, e.start) + e.newText + fixed.slice(e.end);
    assert.match(fixed, /select\(Job\)\.options\(selectinload\(Job\.company\)\)\.limit\(10\)/);
    assert.match(fixed, /^from __future__ import annotations\n\nfrom sqlalchemy.orm import selectinload\nfrom sqlalchemy import select/);
    const after = run(fixed);
    assert.deepStrictEqual(after.problems, []);
    assert.deepStrictEqual(after.findings.filter((f) => f.rule === 'n-plus-one').map((f) => f.message), []);
  });
});
