import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../src/engine';
import { actualMarkers, analyzeCase, expectedMarkers, FIXTURES, readCase, ready$ } from '../helpers';

// One generic driver runs every rule over its fixture folder: test/fixtures/rules/<rule-id>/<case>,
// where a case is a file or a folder (a small project). Findings must match the `expect:` markers exactly,
// for the folder's rule and for any other rule a marker names: a missing marker is a miss, an extra
// finding is a false positive.

const dir = path.join(FIXTURES, 'rules');

describe('rule fixtures', () => {
  before(ready$);
  for (const rule of RULES) {
    const ruleDir = path.join(dir, rule.id);
    if (!fs.existsSync(ruleDir)) continue;
    describe(rule.id, () => {
      for (const name of fs.readdirSync(ruleDir).sort()) {
        const casePath = path.join(ruleDir, name);
        it(name, () => {
          const files = readCase(casePath);
          const expected = expectedMarkers(files);
          const ids = new Set([rule.id, ...expected.map((e) => e.split(' ')[1])]);
          const result = analyzeCase(casePath);
          const actual = actualMarkers(result, ids);
          assert.deepStrictEqual(actual, expected, `findings for ${[...ids].join(', ')} in ${name}:\n${result.findings.filter((f) => ids.has(f.rule)).map((f) => `  ${f.span?.file}:${f.span?.line} ${f.rule}: ${f.message}`).join('\n')}`);
        });
      }
    });
  }
});
