import * as assert from 'assert';
import * as path from 'path';
import { analyzeFiles, type AnalysisResult } from '../../src/engine';
import { ready$, readTree, ROOT } from '../helpers';

// The independent trials (docs/trials.md) found a false positive, duplicates and wrong-dialect help in the
// output of these rules. These checks keep the fixes on the trial projects themselves; the rule fixtures
// pin each behaviour in isolation.

const trial = (name: string) => analyzeFiles(readTree(path.join(ROOT, 'examples/trials', name)));
const at = (r: AnalysisResult, rule: string) => r.findings.filter((f) => f.rule === rule && !f.strength).map((f) => `${f.span?.file}:${f.span?.line}`);

describe('trial projects (docs/trials.md)', () => {
  before(ready$);
  let sqlmodel: AnalysisResult;
  let prisma: AnalysisResult;
  let django: AnalysisResult;
  before(() => {
    sqlmodel = trial('sqlmodel-api');
    prisma = trial('express-prisma');
    django = trial('django-shop');
  });

  it('missing-filter-index: no full-scan claim on a table reached through indexed joins (sqlmodel #22)', () => {
    assert.ok(!at(sqlmodel, 'missing-filter-index').includes('app/main.py:154'), at(sqlmodel, 'missing-filter-index').join(', '));
    assert.ok(at(sqlmodel, 'missing-filter-index').includes('app/main.py:59'), 'the ORDER BY … LIMIT finding stays');
  });

  it('one missing FK index is one finding, where the index is declared, naming the queries that filter on it', () => {
    assert.deepStrictEqual(at(prisma, 'missing-fk-index').sort(), ['prisma/schema.prisma:27', 'prisma/schema.prisma:81']);
    assert.ok(!at(prisma, 'missing-filter-index').some((w) => w.startsWith('src/routes/reports.ts:9')), 'doctors.clinic_id is not reported again');
    const doctors = prisma.findings.find((f) => f.rule === 'missing-fk-index' && f.span?.line === 27)!;
    assert.match(doctors.message, /queries filter on it too \(src\/routes\/reports\.ts:\d+/);
    assert.ok(doctors.related?.some((r) => r.span.file === 'src/routes/reports.ts'));
  });

  it('Prisma: type hygiene points at schema.prisma in Prisma terms; serial → identity is not reported', () => {
    assert.deepStrictEqual(at(prisma, 'prefer-identity'), []);
    const ints = prisma.findings.filter((f) => f.rule === 'prefer-bigint-over-int');
    assert.ok(ints.length && ints.every((f) => f.span?.file === 'prisma/schema.prisma' && /`BigInt`/.test(f.help)));
    const tz = prisma.findings.filter((f) => f.rule === 'prefer-timestamp-tz');
    assert.ok(tz.length && tz.every((f) => f.span?.file === 'prisma/schema.prisma' && /@db\.Timestamptz\(3\)/.test(f.help)));
    assert.ok(tz.every((f) => f.related?.some((r) => r.span.file.endsWith('migration.sql'))));
  });

  it('Django: prefer-text-field skips SlugField/URLField and speaks TextField + CheckConstraint', () => {
    const texts = django.findings.filter((f) => f.rule === 'prefer-text-field');
    assert.ok(texts.length > 0);
    for (const f of texts) {
      assert.doesNotMatch(f.message, /"slug"|"url"/);
      assert.match(f.help, /models\.TextField\(\).*CheckConstraint/);
    }
  });

  it('key conventions: one prefer-bigint-over-int and one prefer-identity note per migration', () => {
    assert.deepStrictEqual(at(sqlmodel, 'prefer-bigint-over-int').sort(), ['alembic/versions/0001_initial.py:19', 'alembic/versions/0002_tags.py:19']);
    assert.strictEqual(at(sqlmodel, 'prefer-identity').length, 2);
  });

  it('require-statement-timeout: silent on instant ADD COLUMN; its ceiling is sized for the later index build too', () => {
    const st = sqlmodel.findings.filter((f) => f.rule === 'require-statement-timeout');
    assert.ok(!st.some((f) => f.span?.line === 17), 'ADD COLUMN with a constant default / nullable is metadata-only');
    const backfill = st.find((f) => f.span?.file.includes('0004'))!;
    assert.match(backfill.help, /15min.*longest statement it bounds.*index build at line 21.*5s aborts them/);
  });
});
