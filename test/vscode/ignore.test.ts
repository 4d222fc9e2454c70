import * as assert from 'assert';
import { applyEdit, commentPrefix, ignoreEdit, insidePythonTripleQuote } from '../../src/vscode/ignore';
import { analyseFixture } from './helpers';

describe('vscode: "ignore this rule here" comment insertion', () => {
  it('uses the language comment marker', () => {
    assert.strictEqual(commentPrefix('app/x.py'), '#');
    assert.strictEqual(commentPrefix('db/001.SQL'), '--');
    assert.strictEqual(commentPrefix('src/db.ts'), '//');
    assert.strictEqual(commentPrefix('prisma/schema.prisma'), '//');
    assert.strictEqual(commentPrefix('Dockerfile'), '#');
  });

  it('inserts above the line with the same indentation (Python)', () => {
    const text = 'def f():\n    for x in xs:\n        q(x)\n';
    const out = applyEdit(text, ignoreEdit('a.py', text, 2, 'n-plus-one'));
    assert.strictEqual(out, 'def f():\n    for x in xs:\n        # pgready: ignore[n-plus-one]\n        q(x)\n');
  });

  it('SQL and TypeScript; tabs and CRLF are kept', () => {
    const sql = 'BEGIN;\r\n\tCREATE INDEX i ON t (c);\r\n';
    assert.strictEqual(applyEdit(sql, ignoreEdit('m.sql', sql, 1, 'require-concurrent-index-creation')), 'BEGIN;\r\n\t-- pgready: ignore[require-concurrent-index-creation]\r\n\tCREATE INDEX i ON t (c);\r\n');
    const ts = 'await pool.query(q);';
    assert.strictEqual(applyEdit(ts, ignoreEdit('a.ts', ts, 0, 'sql-injection')), '// pgready: ignore[sql-injection]\nawait pool.query(q);');
  });

  it('adds the rule to an existing ignore comment instead of stacking a second one', () => {
    const text = 'x = 1\n    # pgready: ignore[n-plus-one]\n    q()\n';
    assert.strictEqual(applyEdit(text, ignoreEdit('a.py', text, 2, 'sql-injection')), 'x = 1\n    # pgready: ignore[n-plus-one, sql-injection]\n    q()\n');
    const again = ignoreEdit('a.py', text, 2, 'n-plus-one');
    assert.strictEqual(applyEdit(text, again), text);
  });

  it('inside a Python triple-quoted string (SQL in op.execute) it writes a SQL comment', () => {
    const text = 'op.execute(\n    """\n    CREATE INDEX ix ON jobs (status)\n    """\n)\n';
    assert.strictEqual(insidePythonTripleQuote(text, text.indexOf('CREATE')), true);
    assert.strictEqual(insidePythonTripleQuote(text, text.indexOf(')\n', text.lastIndexOf('"""'))), false);
    assert.strictEqual(applyEdit(text, ignoreEdit('m.py', text, 2, 'r')), 'op.execute(\n    """\n    -- pgready: ignore[r]\n    CREATE INDEX ix ON jobs (status)\n    """\n)\n');
  });

  it('the engine honours the inserted comment: the finding disappears', async () => {
    const rel = 'app/routes.py';
    const before = await analyseFixture();
    const n1 = before.result.findings.find((f) => f.rule === 'n-plus-one' && f.span?.file === rel)!;
    assert.ok(n1);
    const after = await analyseFixture((files) => {
      const text = files.get(rel)!;
      files.set(rel, applyEdit(text, ignoreEdit(rel, text, n1.span!.line - 1, 'n-plus-one')));
    });
    assert.ok(!after.result.findings.some((f) => f.rule === 'n-plus-one' && f.span?.file === rel));
    assert.ok(after.result.findings.some((f) => f.rule === 'sql-injection'), 'other rules still fire');
  });
});
