import * as assert from 'assert';
import { CATEGORY_LABELS, type Finding, type Readiness } from '../../src/engine';
import { buildMultiRootTree, buildTree, type CategoryNode, type RuleNode } from '../../src/vscode/tree';
import { analyseFixture } from './helpers';

function readiness(overall: number | null): Readiness {
  const cat = { score: 80, target: 90, gap: 10, counts: { error: 0, warning: 0, info: 0 }, strengths: 0, basis: 'static' as const };
  return {
    overall,
    categories: { schema: cat, integrity: { ...cat, score: null, gap: null, basis: 'none', note: 'no tables' }, performance: cat, monitoring: cat, backup: cat, security: cat },
  };
}

const span = (file: string, line: number) => ({ file, start: line * 10, end: line * 10 + 5, line, column: 1, endLine: line, endColumn: 6 });
const f = (rule: string, category: Finding['category'], severity: Finding['severity'], s?: ReturnType<typeof span>): Finding => ({
  rule, category, severity, message: `${rule} message\nsecond line`, help: 'do this', span: s, fingerprint: `${rule}${s?.line ?? ''}`,
});

describe('vscode: readiness tree model', () => {
  it('overall → six categories with scores → rules with counts → locations', () => {
    const tree = buildTree({
      findings: [
        f('n-plus-one', 'performance', 'warning', span('b.py', 9)),
        f('n-plus-one', 'performance', 'warning', span('a.py', 3)),
        f('missing-filter-index', 'performance', 'warning', span('a.py', 1)),
        f('sql-injection', 'security', 'error', span('a.py', 2)),
        f('missing-backup-strategy', 'backup', 'warning'),
        { ...f('pool-pre-ping', 'performance', 'info', span('db.py', 1)), strength: true },
      ],
      readiness: readiness(60),
    });
    assert.strictEqual(tree.label, 'Overall readiness: 60/100');
    assert.strictEqual(tree.description, '5 findings');
    const cats = tree.children as CategoryNode[];
    assert.deepStrictEqual(cats.map((c) => c.label), Object.values(CATEGORY_LABELS));
    const perf = cats.find((c) => c.category === 'performance')!;
    assert.strictEqual(perf.description, '80/100 · 3 warnings');
    const rules = perf.children as RuleNode[];
    assert.deepStrictEqual(rules.map((r) => [r.rule, r.count]), [['n-plus-one', 2], ['missing-filter-index', 1]]);
    assert.deepStrictEqual(rules[0].children.map((l) => l.label), ['a.py:3', 'b.py:9']);
    assert.strictEqual(rules[0].children[0].description, 'n-plus-one message');
    const integrity = cats.find((c) => c.category === 'integrity')!;
    assert.strictEqual(integrity.description, 'unknown · no findings');
    assert.strictEqual(integrity.tooltip, 'no tables');
    const backup = cats.find((c) => c.category === 'backup')!;
    const repo = backup.children[0].children[0];
    assert.strictEqual(repo.label, '(repository)');
    assert.ok(repo.kind === 'location' && repo.file === undefined);
  });

  it('ids are unique and stable', () => {
    const input = { findings: [f('n-plus-one', 'performance', 'warning', span('a.py', 3)), f('n-plus-one', 'performance', 'warning', span('a.py', 3))], readiness: readiness(90) };
    const ids: string[] = [];
    const walk = (n: { id: string; children: { id: string; children: unknown[] }[] }) => {
      ids.push(n.id);
      n.children.forEach((c) => walk(c as never));
    };
    walk(buildTree(input) as never);
    assert.strictEqual(new Set(ids).size, ids.length);
    assert.deepStrictEqual(JSON.stringify(buildTree(input)), JSON.stringify(buildTree(input)));
  });

  it('several folders get one node each', () => {
    const r = { findings: [], readiness: readiness(null) };
    const roots = buildMultiRootTree([{ name: 'api', result: r }, { name: 'worker', result: r }]);
    assert.deepStrictEqual(roots.map((n) => [n.kind, n.label, n.description]), [['folder', 'api', 'unknown'], ['folder', 'worker', 'unknown']]);
    assert.strictEqual(buildMultiRootTree([{ name: 'api', result: r }])[0].kind, 'overall');
  });

  it('the fixture workspace: expected rules and counts under their categories', async () => {
    const { result } = await analyseFixture();
    const tree = buildTree(result);
    const count = (cat: string, rule: string) => (tree.children.find((c) => c.label === cat)!.children as RuleNode[]).find((r) => r.rule === rule)?.count;
    assert.strictEqual(count('Schema Design', 'require-concurrent-index-creation'), 1);
    assert.strictEqual(count('Performance', 'n-plus-one'), 1);
    assert.strictEqual(count('Security', 'sql-injection'), 1);
  });
});
