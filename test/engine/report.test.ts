import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  analyzeFiles,
  computeReadiness,
  effortFor,
  EFFORT_LABELS,
  RULES,
  renderJson,
  renderMarkdown,
  renderSarif,
  renderText,
  toJsonReport,
  type AnalysisResult,
  type Finding,
  type ReportInput,
} from '../../src/engine';
import { ready$, readTree, ROOT } from '../helpers';

const SMALL = path.join(ROOT, 'test', 'cli', 'fixtures', 'small');
const EXAMPLE = path.join(ROOT, 'examples', 'fastapi-shop');

const SECTIONS = ['# PostgreSQL production readiness', '## Readiness scores', '## Strengths', '## Critical gaps', '## Enhancement opportunities', '## Implementation plan', '### Phase 1', '### Phase 2', '### Phase 3', '## Risks', '## All findings'];

function sectionOrder(md: string): void {
  let at = -1;
  for (const s of SECTIONS) {
    const i = md.indexOf(s, at + 1);
    assert.ok(i > at, `section "${s}" missing or out of order`);
    at = i;
  }
}

/** The body of one `## ` section (up to the next `## `). */
function section(md: string, title: string): string {
  const start = md.indexOf(`## ${title}`);
  assert.ok(start >= 0, title);
  const next = md.indexOf('\n## ', start + 3);
  return md.slice(start, next < 0 ? undefined : next);
}

function span(file: string, line: number) {
  return { file, start: 0, end: 1, line, column: 1, endLine: line, endColumn: 2 };
}

function finding(f: Partial<Finding> & Pick<Finding, 'rule' | 'severity' | 'category'>): Finding {
  return { message: `${f.rule} message`, help: `${f.rule} help`, fingerprint: f.rule.padEnd(16, '0').slice(0, 16), ...f };
}

describe('report renderers', () => {
  let real: AnalysisResult;
  let crafted: ReportInput;

  before(async () => {
    await ready$();
    real = analyzeFiles(readTree(SMALL));
    // Findings this test controls, on the real project's facts, so every section has content.
    const findings: Finding[] = [
      finding({ rule: 'sql-injection', severity: 'error', category: 'security', span: span('app/models.py', 9), help: 'Use bound parameters:\nsession.execute(text("… :id"), {"id": id})' }),
      finding({ rule: 'missing-fk-index', severity: 'warning', category: 'integrity', span: span('app/models.py', 16), fingerprint: 'aaaaaaaaaaaaaaa1', related: [{ span: span('app/routes.py', 40), message: 'a query filters on it here' }] }),
      finding({ rule: 'missing-fk-index', severity: 'warning', category: 'integrity', span: span('app/models.py', 17), fingerprint: 'aaaaaaaaaaaaaaa2' }),
      finding({ rule: 'n-plus-one', severity: 'warning', category: 'performance', span: span('app/models.py', 12), message: 'Loop | with a pipe' }),
      finding({ rule: 'missing-backup-strategy', severity: 'warning', category: 'backup' }),
      finding({ rule: 'pool-pre-ping', severity: 'info', category: 'monitoring', strength: true, span: span('app/models.py', 1), message: 'pool_pre_ping is on' }),
      finding({ rule: 'parse-error', severity: 'info', category: 'schema', span: span('app/broken.py', 1) }),
    ];
    const result = { ...real, findings, readiness: computeReadiness(findings, real.facts, RULES) };
    crafted = { result, root: 'small', version: '9.9.9' };
  });

  describe('markdown', () => {
    it('has every section in order, on a real and on a crafted analysis', () => {
      sectionOrder(renderMarkdown({ result: real, root: 'small', version: '0.0.0' }));
      sectionOrder(renderMarkdown(crafted));
    });

    it('puts each finding where a reviewer expects it', () => {
      const md = renderMarkdown(crafted);
      assert.match(md, /\*\*Overall readiness: \d+\/100\*\*/);
      assert.ok(section(md, 'Strengths').includes('pool_pre_ping is on'));
      assert.ok(section(md, 'Critical gaps').includes('sql-injection'));
      assert.ok(!section(md, 'Critical gaps').includes('missing-fk-index'));
      assert.match(section(md, 'Enhancement opportunities'), /\| missing-fk-index \| Data Integrity \| 2 \|/);
      const plan = section(md, 'Implementation plan');
      const phase = (n: number) => plan.slice(plan.indexOf(`### Phase ${n}`), n < 3 ? plan.indexOf(`### Phase ${n + 1}`) : undefined);
      assert.ok(phase(1).includes('sql-injection'));
      assert.ok(phase(2).includes('missing-fk-index') && phase(2).includes('missing-backup-strategy'));
      assert.ok(phase(3).includes('n-plus-one') && !phase(3).includes('missing-fk-index'));
      assert.ok(phase(1).includes(EFFORT_LABELS[effortFor('sql-injection')]));
      assert.match(section(md, 'Risks'), /\| Risk \| Likelihood \| Impact \| Mitigation \|/);
      const rows = section(md, 'Risks').split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Risk'));
      assert.equal(rows.length, 4, 'one risk per rule with errors or warnings');
      assert.match(rows[0], /\(1 finding\) \| High \| High \|/, 'the error in security is the top risk');
    });

    it('lists every finding with file:line, message and help', () => {
      const md = renderMarkdown(crafted);
      const all = section(md, 'All findings');
      for (const f of crafted.result.findings) {
        const where = f.span ? `\`${f.span.file}:${f.span.line}\`` : '`(repository)`';
        assert.ok(all.includes(where), where);
      }
      assert.ok(all.includes('    session.execute'), 'a multi-line help is kept as a code block');
      assert.ok(section(md, 'Enhancement opportunities').split('\n').every((l) => !l.startsWith('|') || l.split(/(?<!\\)\|/).length === 6), 'pipes are escaped in cells');
    });

    it('renders the example project', function () {
      if (!fs.existsSync(EXAMPLE)) this.skip();
      const result = analyzeFiles(readTree(EXAMPLE));
      const md = renderMarkdown({ result, root: 'fastapi-shop', version: '0.0.0' });
      sectionOrder(md);
      for (const f of result.findings.filter((x) => x.span)) assert.ok(md.includes(`\`${f.span!.file}:${f.span!.line}\``));
    });
  });

  describe('json', () => {
    it('keeps every finding, flags strengths, and nulls repository-level positions', () => {
      const json = JSON.parse(renderJson(crafted));
      assert.deepEqual(json, JSON.parse(JSON.stringify(toJsonReport(crafted))));
      assert.equal(json.tool, 'pgready');
      assert.equal(json.version, '9.9.9');
      assert.equal(json.findings.length, crafted.result.findings.length);
      assert.equal(json.findings.find((f: any) => f.rule === 'pool-pre-ping').strength, true);
      assert.ok(!('strength' in json.findings.find((f: any) => f.rule === 'n-plus-one')));
      const repo = json.findings.find((f: any) => f.rule === 'missing-backup-strategy');
      assert.deepEqual([repo.file, repo.line, repo.column], [null, null, null]);
      assert.equal(json.findings.find((f: any) => f.rule === 'sql-injection').line, 9);
      const fk = json.findings.find((f: any) => f.fingerprint === 'aaaaaaaaaaaaaaa1');
      assert.deepEqual(fk.related, [{ file: 'app/routes.py', line: 40, column: 1, message: 'a query filters on it here' }]);
      assert.ok(!('related' in json.findings.find((f: any) => f.fingerprint === 'aaaaaaaaaaaaaaa2')));
    });
  });

  describe('sarif', () => {
    it('excludes strengths, indexes rules, anchors repository-level results on a file', () => {
      const sarif = JSON.parse(renderSarif(crafted));
      const run = sarif.runs[0];
      const results = run.results as any[];
      assert.equal(results.length, crafted.result.findings.filter((f) => !f.strength).length);
      assert.ok(!results.some((r) => r.ruleId === 'pool-pre-ping'));
      for (const r of results) assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      assert.deepEqual(
        results.map((r) => r.level).sort(),
        ['error', 'note', 'warning', 'warning', 'warning', 'warning'],
      );
      const repo = results.find((r) => r.ruleId === 'missing-backup-strategy');
      assert.equal(repo.locations.length, 1);
      assert.equal(repo.locations[0].physicalLocation.region, undefined);
      assert.ok(crafted.result.facts.files.has(repo.locations[0].physicalLocation.artifactLocation.uri));
      const sqli = results.find((r) => r.ruleId === 'sql-injection');
      assert.deepEqual(sqli.locations[0].physicalLocation.region, { startLine: 9, startColumn: 1, endLine: 9, endColumn: 2 });
      assert.equal(sqli.partialFingerprints['pgready/v1'], crafted.result.findings[0].fingerprint);
      const fk = results.find((r) => r.partialFingerprints['pgready/v1'] === 'aaaaaaaaaaaaaaa1');
      assert.deepEqual(fk.relatedLocations, [
        { id: 0, physicalLocation: { artifactLocation: { uri: 'app/routes.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 40, startColumn: 1, endLine: 40, endColumn: 2 } }, message: { text: 'a query filters on it here' } },
      ]);
    });
  });

  describe('text', () => {
    it('colours only when asked', () => {
      const plain = renderText(crafted);
      const coloured = renderText(crafted, { color: true });
      assert.ok(!plain.includes('\u001b['));
      assert.ok(coloured.includes('\u001b['));
      assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain);
      assert.ok(plain.includes('app/models.py') && plain.includes('9:1') && plain.includes('(repository)'));
      assert.match(plain, /1 error, 4 warnings, 1 note, 1 strength/);
    });
  });
});
