import * as assert from 'assert';
import { analyzeFiles, type SourceFile } from '../../src/engine';
import type { Migration } from '../../src/engine/facts';
import { ready$ } from '../helpers';

// The Alembic extractor, asserted on its facts: the revision graph, every op as parsed SQL, transactions.

const header = (rev: string, down: string) => `from alembic import op\nimport sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\nrevision = "${rev}"\ndown_revision = ${down}\n\n\n`;

function migrations(files: Record<string, string>): Migration[] {
  return analyzeFiles(Object.entries(files).map(([path, text]) => ({ path, text }))).facts.migrations;
}

const kinds = (m: Migration) => m.upgrade.map((s) => (s.ast ? Object.keys(s.ast)[0] : `error: ${s.parseError}`));

describe('alembic migrations', () => {
  before(ready$);

  it('reads the revision graph: root, parent, merge; downgrade emptiness', () => {
    const ms = migrations({
      'alembic/versions/a.py': header('a', 'None') + 'def upgrade():\n    op.drop_table("x")\n\n\ndef downgrade():\n    """docstring"""\n    # comment\n    pass\n',
      'alembic/versions/b.py': header('b', '"a"') + 'def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n',
      'alembic/versions/c.py': header('c', '"a"') + 'def upgrade():\n    pass\n\n\ndef downgrade():\n    op.drop_table("x")\n',
      'alembic/versions/d.py': header('d', '("b", "c")') + 'def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n',
      'app/not_a_migration.py': 'def upgrade():\n    pass\n',
    });
    assert.deepStrictEqual(ms.map((m) => [m.id, m.parents]), [['a', []], ['b', ['a']], ['c', ['a']], ['d', ['b', 'c']]]);
    assert.deepStrictEqual(ms.map((m) => m.downgrade?.empty), [true, true, false, true]);
    assert.strictEqual(ms[0].span.line, 5);
    assert.strictEqual(ms[0].tool, 'alembic');
  });

  it('translates ops to SQL that libpg-query parses', () => {
    const [m] = migrations({
      'alembic/versions/a.py':
        header('a', 'None') +
        `def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("kind", sa.Enum("a", "b", name="job_kind"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "title", name="uq_jobs_company_title"),
        sa.CheckConstraint("id > 0", name="ck_id"),
    )
    op.add_column("jobs", sa.Column("is_remote", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.alter_column("jobs", "title", existing_type=sa.String(200), nullable=True, type_=sa.Text(), new_column_name="name")
    op.create_index("ix_jobs_name", "jobs", ["name", sa.text("lower(name)")], unique=True, postgresql_where=sa.text("is_remote"), postgresql_using="btree", if_not_exists=True)
    op.create_index("ix_jobs_trgm", "jobs", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})
    op.create_foreign_key("fk_x", "jobs", "users", ["owner_id"], ["id"], ondelete="SET NULL")
    op.create_unique_constraint("uq_x", "jobs", ["name"])
    op.create_check_constraint("ck_x", "jobs", "id > 1")
    op.drop_constraint("uq_x", "jobs", type_="unique")
    op.drop_column("jobs", "is_remote")
    op.rename_table("jobs", "postings")
    op.execute("UPDATE postings SET name = 'x'; DELETE FROM postings WHERE id < 0")
    op.execute(sa.text("ANALYZE postings"))
    op.execute(f"DROP TABLE {name}")
    op.drop_index("ix_jobs_name", table_name="postings")
    op.drop_table("postings")
    op.bulk_insert(table, [])


def downgrade():
    pass
`,
    });
    assert.deepStrictEqual(kinds(m), [
      'CreateStmt',
      'AlterTableStmt',
      'AlterTableStmt', // TYPE
      'AlterTableStmt', // DROP NOT NULL
      'RenameStmt', // new_column_name
      'IndexStmt',
      'IndexStmt',
      'AlterTableStmt',
      'AlterTableStmt',
      'AlterTableStmt',
      'AlterTableStmt',
      'AlterTableStmt',
      'RenameStmt',
      'UpdateStmt',
      'DeleteStmt',
      'VacuumStmt',
      'error: SQL is not a literal',
      'DropStmt',
      'DropStmt',
    ]);
    const create = m.upgrade[0];
    assert.match(create.sql, /tags text\[\]/);
    assert.match(create.sql, /created_at timestamp with time zone NOT NULL DEFAULT now\(\)/);
    assert.match(create.sql, /company_id integer NOT NULL REFERENCES companies \(id\) ON DELETE CASCADE/);
    assert.match(create.sql, /kind job_kind/);
    assert.strictEqual(create.sourceMap?.length, 9, 'one source span per column / constraint');
    assert.strictEqual(create.sourceMap![1].span.line, 13);
    const ix = m.upgrade[5].ast!.IndexStmt;
    assert.deepStrictEqual([ix.unique, ix.if_not_exists, !!ix.whereClause, ix.indexParams.length], [true, true, true, 2]);
    assert.strictEqual(m.upgrade[6].ast!.IndexStmt.accessMethod, 'gin');
    assert.strictEqual(m.upgrade[5].op, 'op.create_index');
    assert.strictEqual(m.upgrade[5].kwargs?.unique, 'True');
    assert.ok(m.upgrade.every((s) => s.inTransaction));
  });

  it('autocommit_block runs outside the transaction; batch_alter_table supplies the table', () => {
    const [m] = migrations({
      'alembic/versions/a.py':
        header('a', '"z"') +
        `def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_a", "t", ["a"], postgresql_concurrently=True)
    with op.batch_alter_table("t", schema=None) as batch_op:
        batch_op.add_column(sa.Column("b", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_t_b"), ["b"], unique=False)
        batch_op.drop_index(batch_op.f("ix_t_c"))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE t SET b = 1"))


def downgrade():
    op.drop_index("ix_a", table_name="t")
`,
    });
    assert.deepStrictEqual(m.upgrade.map((s) => [s.sql, s.inTransaction]), [
      ['CREATE INDEX CONCURRENTLY ix_a ON t (a)', false],
      ['ALTER TABLE t ADD COLUMN b integer', true],
      ['CREATE INDEX ix_t_b ON t (b)', true],
      ['DROP INDEX ix_t_c', true],
      ['UPDATE t SET b = 1', true],
    ]);
    assert.deepStrictEqual(m.downgrade?.statements.map((s) => s.sql), ['DROP INDEX ix_a']);
  });

  it('the concurrent-index quick fix re-parses and silences the rule', () => {
    const files: SourceFile[] = [
      { path: 'alembic/versions/a.py', text: header('a', 'None') + 'def upgrade():\n    op.create_table("t", sa.Column("a", sa.Integer()))\n\n\ndef downgrade():\n    op.drop_table("t")\n' },
      {
        path: 'alembic/versions/b.py',
        text: header('b', '"a"') + 'def upgrade():\n    op.create_index(\n        "ix_t_a",\n        "t",\n        ["a"],\n    )\n    op.drop_index("ix_old", table_name="t")\n\n\ndef downgrade():\n    pass\n',
      },
    ];
    for (const rule of ['require-concurrent-index-creation', 'require-concurrent-index-deletion']) {
      const before = analyzeFiles(files).findings.filter((f) => f.rule === rule);
      assert.strictEqual(before.length, 1, rule);
      const fix = before[0].fix!;
      assert.ok(fix, `${rule} has a fix`);
      const e = fix.edits[0];
      const text = files[1].text;
      const fixed = text.slice(0, e.start) + e.newText + text.slice(e.end);
      assert.match(fixed, /with op\.get_context\(\)\.autocommit_block\(\):\n {8}op\./);
      const after = analyzeFiles([files[0], { path: files[1].path, text: fixed }]);
      assert.deepStrictEqual(after.problems, []);
      assert.deepStrictEqual(after.findings.filter((f) => f.rule === rule).map((f) => f.message), []);
    }
  });
});
