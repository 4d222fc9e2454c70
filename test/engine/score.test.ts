import * as assert from 'assert';
import { analyzeFiles, computeReadiness, RULES, type Finding } from '../../src/engine';
import { ready$ } from '../helpers';

// The formula in src/engine/score.ts, checked on its edges: diminishing returns per rule, repository-level
// weight, unknown categories, the overall cap while errors are open.

const span = (line: number) => ({ file: 'app/x.py', start: 0, end: 1, line, column: 1, endLine: line, endColumn: 2 });
const finding = (rule: string, category: Finding['category'], severity: Finding['severity'], line?: number): Finding => ({
  rule, category, severity, message: 'm', help: 'h', fingerprint: `${rule}${line}`, span: line === undefined ? undefined : span(line),
});

describe('readiness score', () => {
  before(ready$);
  const facts = () =>
    analyzeFiles([{ path: 'migrations/V1__init.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);' }]).facts;

  it('starts every judged category at 100 and leaves unjudgeable ones unknown', () => {
    const empty = analyzeFiles([]).facts;
    const r = computeReadiness([], empty, RULES);
    assert.strictEqual(r.overall, null);
    assert.strictEqual(r.categories.schema.score, null);
    assert.strictEqual(r.categories.schema.basis, 'none');
    const withSchema = computeReadiness([], facts(), RULES);
    assert.strictEqual(withSchema.categories.schema.score, 100);
    assert.strictEqual(withSchema.categories.backup.basis, 'repository');
  });

  it('halves each repeat of the same rule, so one rule costs at most twice its weight', () => {
    const one = computeReadiness([finding('missing-fk-index', 'performance', 'warning', 1)], facts(), RULES);
    const three = computeReadiness([1, 2, 3].map((l) => finding('missing-fk-index', 'performance', 'warning', l)), facts(), RULES);
    const many = computeReadiness(Array.from({ length: 40 }, (_, l) => finding('missing-fk-index', 'performance', 'warning', l + 1)), facts(), RULES);
    assert.strictEqual(one.categories.performance.score, 92);
    assert.strictEqual(three.categories.performance.score, 86); // 8 + 4 + 2
    assert.strictEqual(many.categories.performance.score, 84); // approaches 16
  });

  it('weighs a repository-level absence as a missing practice, not as one line', () => {
    const r = computeReadiness([finding('missing-backup-strategy', 'backup', 'warning')], facts(), RULES);
    assert.strictEqual(r.categories.backup.score, 40);
    assert.strictEqual(r.categories.backup.gap, 50);
  });

  it('does not deduct strengths or unscored notes, and caps overall at 60 while an error is open', () => {
    const strength = { ...finding('missing-downgrade', 'backup', 'info', 1), strength: true };
    const note = finding('parse-error', 'schema', 'info', 2);
    const clean = computeReadiness([strength, note], facts(), RULES);
    assert.strictEqual(clean.categories.backup.score, 100);
    assert.strictEqual(clean.categories.backup.strengths, 1);
    assert.strictEqual(clean.overall, 100);
    const withError = computeReadiness([finding('sql-injection', 'security', 'error', 3)], facts(), RULES);
    assert.strictEqual(withError.categories.security.score, 80);
    assert.strictEqual(withError.overall, 60);
  });
});
