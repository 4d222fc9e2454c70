import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, RULES, type AnalysisResult } from '../../src/engine';
import { ready$, readTree, ROOT } from '../helpers';

// Every bundled example has an answer key (examples/<name>/EXPECTED.md) written by hand before or beside the
// code: a "Must fire" table (rule id | location | why) and a "Must not fire" / "Must stay silent" table of
// correct code next to the planted problems. This test holds pgready to those keys. Locations are
// `path:line`, `path:from-to`, or an Alembic revision id standing for its file (`alembic/versions/<rev>:51`);
// rows without a line (a whole folder) are prose for the reader and are not checked here.

interface Row {
  rule: string;
  file: string;
  from: number;
  to: number;
  mustFire: boolean;
}

const RULE_IDS = new Set(RULES.map((r) => r.id));

function answerKey(md: string): Row[] {
  const rows: Row[] = [];
  let section: 'fire' | 'silent' | undefined;
  for (const line of md.split('\n')) {
    const heading = /^##\s+(.*)/.exec(line);
    if (heading) {
      section = /^must fire/i.test(heading[1]) ? 'fire' : /^must (not fire|stay silent)/i.test(heading[1]) ? 'silent' : undefined;
      continue;
    }
    if (!section || !line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    // The keys put the rule id and the location in the first two columns, in either order.
    const cells = line.split(/(?<!\\)\|/).slice(1, 3).map((c) => c.replace(/`/g, '').trim());
    const rules = cells.flatMap((c) => c.split(/,\s*/)).filter((r) => RULE_IDS.has(r));
    const at = cells.map((c) => /^([\w/.-]+):(\d+)(?:\s*[–-]\s*(\d+))?/.exec(c)).find((m) => m);
    if (!rules.length || !at) continue;
    for (const rule of rules) rows.push({ rule, file: at[1], from: +at[2], to: at[3] ? +at[3] : +at[2], mustFire: section === 'fire' });
  }
  return rows;
}

/** `alembic/versions/5b9e2d7f4c61` names the file `alembic/versions/5b9e2d7f4c61_<slug>.py`. */
const sameFile = (actual: string, keyed: string) => actual === keyed || (!/\.\w+$/.test(keyed) && actual.startsWith(`${keyed}_`));

const examples = fs
  .readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(ROOT, 'examples', d.name, 'EXPECTED.md')))
  .map((d) => d.name);

describe('bundled examples match their answer keys (examples/*/EXPECTED.md)', () => {
  before(ready$);

  it('finds the examples and their keys', () => {
    assert.ok(examples.length >= 5, examples.join(', '));
  });

  for (const name of examples) {
    describe(name, () => {
      const dir = path.join(ROOT, 'examples', name);
      const rows = answerKey(fs.readFileSync(path.join(dir, 'EXPECTED.md'), 'utf8'));
      let result: AnalysisResult;
      before(() => {
        result = analyzeFiles(readTree(dir));
      });
      const hits = (row: Row) => result.findings.filter((f) => f.rule === row.rule && !f.strength && f.span && sameFile(f.span.file, row.file) && f.span.line >= row.from && f.span.line <= row.to);
      const where = (row: Row) => `${row.rule} at ${row.file}:${row.from}${row.to !== row.from ? `-${row.to}` : ''}`;

      it('has rows that must fire and rows that must stay silent', () => {
        assert.ok(rows.some((r) => r.mustFire) && rows.some((r) => !r.mustFire), `${rows.length} rows`);
      });

      it('reports every "must fire" row', () => {
        const missed = rows.filter((r) => r.mustFire && !hits(r).length).map(where);
        assert.deepStrictEqual(missed, []);
      });

      it('reports nothing on a "must not fire" row', () => {
        const wrong = rows.filter((r) => !r.mustFire && hits(r).length).map((r) => `${where(r)}: ${hits(r)[0].message}`);
        assert.deepStrictEqual(wrong, []);
      });
    });
  }
});
