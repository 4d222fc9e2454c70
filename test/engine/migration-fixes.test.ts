import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, defaultSettings, type SourceFile } from '../../src/engine';
import { parseStatements } from '../../src/engine/sources/sql/statements';
import type { TextEdit } from '../../src/engine/types';
import { FIXTURES, readCase, ready$ } from '../helpers';

// Fix tests prove themselves (as Squawk's do): for every finding of a migration rule that carries a fix,
// apply the fix's edits to the fixture text, analyse the project again (SQL re-parsed by libpg-query,
// Alembic by tree-sitter and the op translator), and check that the text still parses and that the rule
// no longer fires where the fix was applied.

const RULES_WITH_FIXES = [
  'require-concurrent-reindex',
  'ban-concurrent-index-creation-in-transaction',
  'constraint-missing-not-valid',
  'adding-foreign-key-constraint',
];

function applyEdits(files: SourceFile[], edits: TextEdit[]): SourceFile[] {
  return files.map((f) => {
    const mine = edits.filter((e) => e.file === f.path).sort((a, b) => b.start - a.start);
    let text = f.text;
    let floor = Infinity;
    for (const e of mine) {
      assert.ok(e.end <= floor, `overlapping edits in ${f.path}`);
      text = text.slice(0, e.start) + e.newText + text.slice(e.end);
      floor = e.start;
    }
    return { path: f.path, text };
  });
}

describe('migration fixes', () => {
  before(ready$);

  for (const id of RULES_WITH_FIXES) {
    describe(id, () => {
      const dir = path.join(FIXTURES, 'rules', id);
      let fixedSomewhere = 0;
      for (const name of fs.readdirSync(dir).sort()) {
        it(`${name}: the fixed text parses and the rule no longer fires there`, () => {
          const files = readCase(path.join(dir, name));
          const before = analyzeFiles(files, defaultSettings()).findings.filter((f) => f.rule === id);
          const fixed = before.filter((f) => f.fix);
          if (!fixed.length) return;
          fixedSomewhere += fixed.length;
          const after = applyEdits(files, fixed.flatMap((f) => f.fix!.edits));
          for (const f of after) {
            if (f.path.endsWith('.sql')) assert.ok(parseStatements(f.text).ok, `${f.path} no longer parses:\n${f.text}`);
          }
          const result = analyzeFiles(after, defaultSettings());
          assert.deepStrictEqual(result.problems.map((p) => `${p.file}: ${p.message}`), [], 'the fixed project has parse problems');
          const remaining = result.findings.filter((f) => f.rule === id);
          assert.strictEqual(remaining.length, before.length - fixed.length, `still firing after the fix:\n${remaining.map((f) => `  ${f.span?.file}:${f.span?.line} ${f.message}`).join('\n')}\n${after.map((f) => `--- ${f.path}\n${f.text}`).join('\n')}`);
          // Every finding left is one that had no fix.
          const unfixedKeys = new Set(before.filter((f) => !f.fix).map((f) => f.message));
          for (const f of remaining) assert.ok(unfixedKeys.has(f.message), `new finding after the fix: ${f.message}`);
        });
      }
      it('has at least one fixture finding with a fix', () => assert.ok(fixedSomewhere > 0));
    });
  }

  it('adds NOT VALID after the last token of a statement followed by a comment', () => {
    const files: SourceFile[] = [
      { path: 'migrations/V1__init.sql', text: 'CREATE TABLE u (id bigint PRIMARY KEY);\nCREATE TABLE t (id int, u_id bigint);\n' },
      { path: 'migrations/V2__fk.sql', text: 'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) -- no semicolon, trailing comment\n' },
    ];
    const f = analyzeFiles(files).findings.find((x) => x.rule === 'constraint-missing-not-valid');
    assert.ok(f?.fix);
    const [, v2] = applyEdits(files, f.fix.edits);
    assert.strictEqual(v2.text, 'ALTER TABLE t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID -- no semicolon, trailing comment\n');
  });

  it('offers no SQL fix for an ALTER TABLE with several commands (the NOT VALID would land on the wrong one)', () => {
    const files: SourceFile[] = [
      { path: 'migrations/V1__init.sql', text: 'CREATE TABLE t (id int, n int);\n' },
      { path: 'migrations/V2__two.sql', text: 'ALTER TABLE t ADD CONSTRAINT t_n CHECK (n > 0), ADD COLUMN m int;\n' },
    ];
    const f = analyzeFiles(files).findings.find((x) => x.rule === 'constraint-missing-not-valid');
    assert.ok(f && !f.fix);
  });
});
