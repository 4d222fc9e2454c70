import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, RULES } from '../../src/engine';
import { expectedMarkers, FIXTURES, readCase, ready$, ROOT } from '../helpers';

// The repository guards itself (as ESLint does): every rule is documented, has fixtures that fire and
// fixtures that stay silent, and its own bad example fires while its good example stays silent.

describe('rule registry', () => {
  before(ready$);

  it('ids are unique, kebab-case, equal to their file names, and sorted', () => {
    const ids = RULES.map((r) => r.id);
    assert.deepStrictEqual(ids, [...new Set(ids)].sort());
    const files = fs.readdirSync(path.join(ROOT, 'src/engine/rules')).filter((f) => f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
    assert.deepStrictEqual(files.sort(), ids);
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('has docs: summary, what, why, instead', () => {
        for (const [k, v] of Object.entries({ summary: rule.summary, ...rule.docs })) assert.ok(typeof v === 'string' && v.trim().length > 20, `${k} is missing or too short`);
      });

      it('has fixtures that fire and fixtures that stay silent', () => {
        const ruleDir = path.join(FIXTURES, 'rules', rule.id);
        assert.ok(fs.existsSync(ruleDir), `no fixture folder ${ruleDir}`);
        const cases = fs.readdirSync(ruleDir).map((n) => expectedMarkers(readCase(path.join(ruleDir, n))).filter((m) => m.endsWith(` ${rule.id}`)).length);
        assert.ok(cases.some((n) => n > 0), 'no fixture expects the rule to fire');
        assert.ok(cases.some((n) => n === 0), 'no fixture expects the rule to stay silent');
      });

      it('its bad example fires and its good example stays silent', () => {
        const run = (files: Record<string, string>) =>
          analyzeFiles(Object.entries(files).map(([p, text]) => ({ path: p, text }))).findings.filter((f) => f.rule === rule.id && !f.strength);
        assert.ok(run(rule.examples.bad).length > 0, 'bad example does not fire');
        assert.deepStrictEqual(run(rule.examples.good).map((f) => f.message), [], 'good example fires');
      });
    });
  }
});
