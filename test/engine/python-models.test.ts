import * as assert from 'assert';
import { analyzeFiles } from '../../src/engine';
import type { Table } from '../../src/engine/facts';
import { ready$ } from '../helpers';

// The SQLAlchemy model extractor, asserted on its facts (not through rules).

function tables(text: string): Map<string, Table> {
  const r = analyzeFiles([{ path: 'app/models.py', text }]);
  return new Map(r.facts.files.get('app/models.py')!.tables.map((t) => [t.name, t]));
}

const col = (t: Table, name: string) => t.columns.find((c) => c.name === name)!;

describe('python models (SQLAlchemy)', () => {
  before(ready$);

  it('reads 2.0 Mapped/mapped_column: types, nullability, keys, defaults, mixins', () => {
    const t = tables(`
from datetime import datetime
from typing import Optional
from sqlalchemy import BigInteger, DateTime, ForeignKey, Numeric, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class Base(DeclarativeBase):
    pass

class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

class Job(TimestampMixin, Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[Optional[str]] = mapped_column(Text)
    price: Mapped[float | None] = mapped_column("price_eur", Numeric(12, 2))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), server_default="draft", nullable=True, unique=True)
    views: Mapped[int]
    published_at: Mapped[datetime | None]
`).get('jobs')!;
    assert.ok(t, 'jobs table');
    assert.strictEqual(t.model, 'Job');
    assert.deepStrictEqual(t.primaryKey, ['id']);
    assert.deepStrictEqual([col(t, 'id').type, col(t, 'id').nullable], ['bigint', false]);
    assert.deepStrictEqual([col(t, 'title').type, col(t, 'title').nullable], ['character varying(200)', false]);
    assert.deepStrictEqual([col(t, 'body').type, col(t, 'body').nullable], ['text', true]);
    assert.deepStrictEqual([col(t, 'price_eur').type, col(t, 'price_eur').nullable, col(t, 'price_eur').attribute], ['numeric(12,2)', true, 'price']);
    // Typed only by its ForeignKey: SQLAlchemy uses the referenced column's type, not Mapped[int]'s; the
    // project merge fills it in (next test).
    assert.strictEqual(col(t, 'company_id').type, '');
    assert.deepStrictEqual([col(t, 'status').default, col(t, 'status').nullable, col(t, 'status').unique], ["'draft'", true, true]);
    assert.deepStrictEqual([col(t, 'views').type, col(t, 'views').nullable], ['integer', false]);
    assert.deepStrictEqual([col(t, 'published_at').type, col(t, 'published_at').nullable], ['timestamp without time zone', true]);
    assert.deepStrictEqual([col(t, 'created_at').type, col(t, 'created_at').default], ['timestamp with time zone', 'now()']);
    assert.deepStrictEqual(t.foreignKeys.map((f) => [f.columns, f.refTable, f.refColumns, f.onDelete]), [[['company_id'], 'companies', ['id'], 'CASCADE']]);
    assert.deepStrictEqual(
      t.indexes.map((i) => [i.keys.map((k) => k.column).join(), i.unique, i.constraint ?? '']),
      [['company_id', false, ''], ['status', true, 'unique']],
    );
  });

  it('gives a column typed only by its ForeignKey the referenced column\'s type, across files', () => {
    const r = analyzeFiles([
      { path: 'app/company.py', text: 'from sqlalchemy import BigInteger\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\nclass Base(DeclarativeBase):\n    pass\n\nclass Company(Base):\n    __tablename__ = "companies"\n    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)\n' },
      { path: 'app/job.py', text: 'from sqlalchemy import Column, ForeignKey, Integer\nfrom sqlalchemy.orm import Mapped, mapped_column\nfrom app.company import Base\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id = Column(Integer, primary_key=True)\n    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))\n    parent_id = Column(None, ForeignKey("jobs.id"))\n    owner_id: Mapped[int] = mapped_column(Integer, ForeignKey("companies.id"))\n' },
    ]);
    const jobs = r.facts.modelSchema.tables.get('jobs')!;
    assert.strictEqual(col(jobs, 'company_id').type, 'bigint');
    assert.strictEqual(col(jobs, 'parent_id').type, 'integer');
    assert.strictEqual(col(jobs, 'owner_id').type, 'integer', 'an explicit type stays');
  });

  it('reads legacy Column, __table_args__, Table objects and relationships with lazy', () => {
    const ts = tables(`
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint, CheckConstraint, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

job_tags = Table("job_tags", Base.metadata, Column("job_id", ForeignKey("jobs.id"), primary_key=True), Column("tag_id", Integer, ForeignKey("tags.id"), primary_key=True))

class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),
        Index("ix_jobs_open", "owner_id", postgresql_where=text("status = 'open'")),
        UniqueConstraint("owner_id", "title", name="uq_owner_title"),
        CheckConstraint("salary > 0", name="ck_salary"),
        {"schema": "public"},
    )
    id = Column(Integer, primary_key=True)
    title = Column(String, nullable=False)
    uid = Column(postgresql.UUID(as_uuid=True))
    tags_list = Column(postgresql.ARRAY(String(20)))
    owner_id = Column(Integer, ForeignKey("users.id"))
    owner = relationship("User", back_populates="jobs")
    tags = relationship("Tag", secondary=job_tags, lazy="selectin")
    comments = relationship("Comment", lazy="dynamic", uselist=True)
`);
    const job = ts.get('jobs')!;
    assert.strictEqual(job.schema, 'public');
    assert.deepStrictEqual([col(job, 'title').type, col(job, 'title').nullable], ['character varying', false]);
    assert.strictEqual(col(job, 'owner_id').nullable, true);
    assert.strictEqual(col(job, 'uid').type, 'uuid');
    assert.strictEqual(col(job, 'tags_list').type, 'character varying(20)[]');
    const trgm = job.indexes.find((i) => i.name === 'ix_jobs_title_trgm')!;
    assert.deepStrictEqual([trgm.method, trgm.keys], ['gin', [{ column: 'title', opclass: 'gin_trgm_ops' }]]);
    assert.strictEqual(job.indexes.find((i) => i.name === 'ix_jobs_open')!.where, "status = 'open'");
    assert.deepStrictEqual(job.indexes.find((i) => i.name === 'uq_owner_title')!.keys.map((k) => k.column), ['owner_id', 'title']);
    assert.deepStrictEqual(job.checks.map((c) => c.expression), ['salary > 0']);
    assert.deepStrictEqual(
      job.relationships.map((r) => [r.name, r.target, r.lazy, r.secondary ?? '', r.backPopulates ?? '']),
      [['owner', 'User', 'select', '', 'jobs'], ['tags', 'Tag', 'selectin', 'job_tags', ''], ['comments', 'Comment', 'dynamic', '', '']],
    );
    const jt = ts.get('job_tags')!;
    assert.deepStrictEqual(jt.primaryKey, ['job_id', 'tag_id']);
    assert.strictEqual(col(jt, 'job_id').type, 'integer', 'FK column type comes from the referenced column');
    assert.deepStrictEqual(jt.foreignKeys.map((f) => f.refTable), ['jobs', 'tags']);
  });

  it('reads Flask-SQLAlchemy models: default table names, abstract bases, backrefs', () => {
    const ts = tables(`
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()

class BaseModel(db.Model):
    __abstract__ = True
    id = db.Column(db.Integer, primary_key=True)

class BookAuthor(BaseModel):
    name = db.Column(db.String(80), unique=True, nullable=False)
    books = db.relationship("Book", backref=db.backref("author", lazy="joined"), lazy="dynamic")

class Book(BaseModel):
    __tablename__ = "books"
    author_id = db.Column(db.Integer, db.ForeignKey(BookAuthor.id), index=True)
`);
    assert.deepStrictEqual([...ts.keys()].sort(), ['book_author', 'books']);
    const author = ts.get('book_author')!;
    assert.deepStrictEqual(author.primaryKey, ['id']);
    assert.deepStrictEqual(author.relationships.map((r) => [r.name, r.lazy, r.backref]), [['books', 'dynamic', 'author']]);
    const book = ts.get('books')!;
    assert.deepStrictEqual(book.foreignKeys.map((f) => [f.refTable, f.refModel]), [['book_author', 'BookAuthor']]);
    assert.deepStrictEqual(book.relationships.map((r) => [r.name, r.target, r.lazy]), [['author', 'BookAuthor', 'joined']]);
  });

  it('ignores classes that are not mapped', () => {
    const ts = tables(`
class Settings:
    name = "x"

class Abstract(Base):
    __abstract__ = True
    id = Column(Integer, primary_key=True)
`);
    assert.strictEqual(ts.size, 0);
  });
});
