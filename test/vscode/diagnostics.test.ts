import * as assert from 'assert';
import type { Finding } from '../../src/engine';
import { diagnosticsByFile, diagnosticsKey, docsUri, findingFor, ruleFromDocsPath, toDiagnosticData } from '../../src/vscode/diagnostics';
import { analyseFixture } from './helpers';

const span = { file: 'app/x.py', start: 10, end: 20, line: 3, column: 5, endLine: 4, endColumn: 2 };
const finding = (over: Partial<Finding> = {}): Finding => ({
  rule: 'n-plus-one',
  severity: 'warning',
  category: 'performance',
  message: 'One query per row.',
  help: 'Add selectinload.',
  span,
  fingerprint: 'abc',
  ...over,
});

describe('vscode: finding → diagnostic mapping', () => {
  it('maps 1-based engine spans to zero-based ranges with an exclusive end', () => {
    const d = toDiagnosticData(finding())!;
    assert.deepStrictEqual(d.range, { startLine: 2, startCharacter: 4, endLine: 3, endCharacter: 1 });
    assert.strictEqual(d.file, 'app/x.py');
  });

  it('keeps severity, source, message + help, and links the rule id to its docs', () => {
    const d = toDiagnosticData(finding({ severity: 'error', rule: 'sql-injection' }))!;
    assert.strictEqual(d.severity, 'error');
    assert.strictEqual(d.source, 'pgready');
    assert.strictEqual(d.message, 'One query per row.\nAdd selectinload.');
    assert.deepStrictEqual(d.code, { value: 'sql-injection', target: 'pgready-docs:/sql-injection.md' });
  });

  it('skips repository-level findings and strengths', () => {
    assert.strictEqual(toDiagnosticData(finding({ span: undefined })), undefined);
    assert.strictEqual(toDiagnosticData(finding({ strength: true, severity: 'info' })), undefined);
  });

  it('maps related locations and marks fixable findings', () => {
    const d = toDiagnosticData(finding({ fix: { title: 't', edits: [] }, related: [{ span: { ...span, file: 'app/y.py' }, message: 'here' }] }))!;
    assert.strictEqual(d.fixable, true);
    assert.deepStrictEqual(d.related, [{ file: 'app/y.py', range: { startLine: 2, startCharacter: 4, endLine: 3, endCharacter: 1 }, message: 'here' }]);
  });

  it('docs URIs round-trip rule ids', () => {
    assert.strictEqual(docsUri('missing-fk-index'), 'pgready-docs:/missing-fk-index.md');
    assert.strictEqual(ruleFromDocsPath('/missing-fk-index.md'), 'missing-fk-index');
  });

  it('groups by file, keys change only when diagnostics change, and finds the finding behind a diagnostic', () => {
    const a = finding();
    const b = finding({ rule: 'sql-injection', fingerprint: 'def', span: { ...span, line: 9, endLine: 9 } });
    const byFile = diagnosticsByFile([a, b, finding({ span: undefined })]);
    assert.deepStrictEqual([...byFile.keys()], ['app/x.py']);
    assert.strictEqual(byFile.get('app/x.py')!.length, 2);
    const key = diagnosticsKey(byFile.get('app/x.py')!);
    assert.strictEqual(diagnosticsKey(diagnosticsByFile([a, b]).get('app/x.py')!), key);
    assert.notStrictEqual(diagnosticsKey(diagnosticsByFile([a]).get('app/x.py')!), key);
    const d = toDiagnosticData(b)!;
    assert.strictEqual(findingFor([a, b], 'app/x.py', { code: 'sql-injection', range: d.range, message: d.message }), b);
    assert.strictEqual(findingFor([a, b], 'app/other.py', { code: 'sql-injection', range: d.range, message: d.message }), undefined);
  });

  it('maps the fixture workspace: the expected codes and ranges per file', async () => {
    const { result } = await analyseFixture();
    const byFile = diagnosticsByFile(result.findings);
    const summary = (file: string) => (byFile.get(file) ?? []).map((d) => `${d.code.value}@${d.range.startLine}:${d.range.startCharacter}-${d.range.endLine}:${d.range.endCharacter}/${d.severity}`);
    assert.ok(summary('alembic/versions/b7c8d9e0f1a2_jobs_status_index.py').includes('require-concurrent-index-creation@14:4-14:57/warning'));
    const routes = summary('app/routes.py');
    assert.ok(routes.includes('sql-injection@12:32-12:85/error'), routes.join(', '));
    assert.ok(routes.includes('n-plus-one@8:58-8:69/warning'), routes.join(', '));
  });
});
