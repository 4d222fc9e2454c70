import { strict as assert } from 'assert';
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATEGORIES } from '../../src/engine';
import { ROOT } from '../helpers';

// End to end: the built dist/cli.js as a subprocess on real folders. Assertions are about structure and exit
// codes, so they hold while rules are added; exact findings are asserted only on content this file controls.

const CLI = path.join(ROOT, 'dist', 'cli.js');
const SMALL = path.join(ROOT, 'test', 'cli', 'fixtures', 'small');
const EXAMPLE = path.join(ROOT, 'examples', 'fastapi-shop');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; runs are async so a test can start several at once (most of a run is WASM start-up). */
function cli(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 90_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function json(args: string[], cwd = ROOT): Promise<{ run: Run; report: any }> {
  const run = await cli([...args, '--format', 'json'], cwd);
  return { run, report: JSON.parse(run.stdout) };
}

const PROGRESS = /^(parsing \d+\/\d+ files…|listing files…|checking rules…)$/;

/** A usage error: exit 2, nothing on stdout, exactly one line on stderr (besides progress) starting with "pgready: ". */
function assertUsageError(run: Run, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n').filter((l) => !PROGRESS.test(l));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^pgready: /);
  assert.match(lines[0], pattern);
}

let tmp: string;
function project(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('cli', function () {
  this.timeout(180_000);

  before(() => {
    const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-cli-'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe('commands', () => {
    it('--version, --help, rules and rule <id>', async () => {
      const [version, help, rules, rule] = await Promise.all([cli(['--version']), cli(['--help']), cli(['rules']), cli(['rule', 'parse-error'])]);
      assert.equal(version.code, 0);
      assert.equal(version.stdout.trim(), VERSION);

      assert.equal(help.code, 0);
      for (const word of ['pgready report', 'pgready rules', 'pgready rule <id>', '--fail-under', '--format']) assert.ok(help.stdout.includes(word), word);

      assert.equal(rules.code, 0);
      const lines = rules.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^RULE\s+CATEGORY\s+SEVERITY\s+SUMMARY$/);
      assert.ok(lines.some((l) => /^parse-error\s+Schema Design\s+info\s+/.test(l)));

      assert.equal(rule.code, 0);
      let at = -1;
      for (const heading of ['What it does', 'Why is this bad?', 'Instead', 'Example (bad)', 'Example (good)']) {
        const i = rule.stdout.indexOf('\n' + heading + '\n');
        assert.ok(i > at, `${heading} missing or out of order`);
        at = i;
      }
    });

    it('unknown rule, command and option are usage errors with one line', async () => {
      const cases: [string[], RegExp][] = [
        [['rule', 'no-such-rule'], /unknown rule: no-such-rule/],
        [['frobnicate'], /unknown command: frobnicate/],
        [['report', SMALL, '--frobnicate'], /unknown option: --frobnicate/],
        [['report', SMALL, '--format', 'xml'], /--format must be one of text, markdown, json, sarif/],
        [['report', SMALL, '--fail-under', 'abc'], /--fail-under must be a number/],
        [['report', SMALL, '--fail-under', '101'], /--fail-under must be a number/],
        [['report', SMALL, '--fail-on', 'info'], /--fail-on must be one of error, warning/],
        [['report', SMALL, '--format'], /--format needs a value/],
        [['report', SMALL, SMALL], /report takes one path/],
        [['report', 'no/such/folder'], /^pgready: path does not exist: no\/such\/folder$/],
      ];
      const runs = await Promise.all(cases.map(([args]) => cli(args)));
      runs.forEach((run, i) => assertUsageError(run, cases[i][1]));
    });

    it('explain is dispatched (its own tests live with it)', async () => {
      const r = await cli(['explain', '--help']);
      assert.notEqual(r.stderr, 'pgready: unknown command: explain (see pgready --help)\n');
    });
  });

  describe('report', () => {
    it('prints a text report on stdout by default, from the current folder too', async () => {
      const [r, here] = await Promise.all([cli(['report', SMALL]), json(['report'], SMALL)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /pgready \S+ — small/);
      assert.match(r.stdout, /Overall\s+(\d+\/100|unknown)/);
      assert.ok(r.stdout.includes('app/broken.py'));
      assert.ok(!r.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');
      assert.equal(here.run.code, 0);
      assert.equal(here.report.root, 'small');
    });

    it('--format json follows the documented schema', async () => {
      const { run, report } = await json(['report', SMALL]);
      assert.equal(run.code, 0);
      assert.equal(report.tool, 'pgready');
      assert.equal(report.version, VERSION);
      assert.equal(report.root, 'small');
      assert.ok(report.score.overall === null || (Number.isInteger(report.score.overall) && report.score.overall >= 0 && report.score.overall <= 100));
      assert.deepEqual(Object.keys(report.score.categories).sort(), [...CATEGORIES].sort());
      for (const c of Object.values<any>(report.score.categories)) {
        assert.ok(c.score === null || typeof c.score === 'number');
        assert.equal(typeof c.target, 'number');
        assert.ok(['static', 'repository', 'live', 'none'].includes(c.basis));
      }
      assert.ok(Array.isArray(report.findings) && report.findings.length > 0);
      for (const f of report.findings) {
        for (const key of ['rule', 'severity', 'category', 'message', 'help', 'fingerprint']) assert.equal(typeof f[key], 'string', key);
        assert.ok(['error', 'warning', 'info'].includes(f.severity));
        assert.ok(CATEGORIES.includes(f.category));
        assert.match(f.fingerprint, /^[0-9a-f]{16}$/);
        if (f.file !== null) {
          assert.ok(!path.isAbsolute(f.file) && !f.file.includes('\\'), f.file);
          assert.ok(fs.existsSync(path.join(SMALL, f.file)), f.file);
          assert.ok(f.line >= 1 && f.column >= 1 && f.endLine >= f.line, JSON.stringify(f));
        } else {
          assert.equal(f.line, null);
        }
        if ('strength' in f) assert.equal(f.strength, true);
      }
      const broken = report.findings.find((f: any) => f.rule === 'parse-error');
      assert.equal(broken.file, 'app/broken.py');
      assert.equal(broken.line, 1);
    });

    it('--format sarif is SARIF 2.1.0 that code scanning accepts', async () => {
      for (const dir of [SMALL, EXAMPLE].filter((d) => fs.existsSync(d))) {
        const r = await cli(['report', dir, '--format', 'sarif']);
        assert.equal(r.code, 0, r.stderr);
        checkSarif(JSON.parse(r.stdout), dir);
      }
    });

    it('--format markdown prints the executive summary', async () => {
      const r = await cli(['report', SMALL, '--format', 'markdown']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^# PostgreSQL production readiness: small/);
      assert.ok(r.stdout.includes('`app/broken.py:1`'));
    });

    it('--output writes the report to a file and nothing to stdout', async () => {
      const out = path.join(tmp, 'report.json');
      const [r, bad] = await Promise.all([
        cli(['report', SMALL, '--format', 'json', '--output', out]),
        cli(['report', SMALL, '--output', path.join(tmp, 'no', 'such', 'dir', 'r.txt')]),
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).tool, 'pgready');
      assertUsageError(bad, /cannot write .*r\.txt: its folder does not exist/);
    });

    it('a single file can be analysed', async () => {
      const { run, report } = await json(['report', path.join(SMALL, 'app', 'broken.py')]);
      assert.equal(run.code, 0);
      assert.deepEqual(
        report.findings.filter((f: any) => f.file !== null).map((f: any) => `${f.file}:${f.rule}`),
        ['broken.py:parse-error'],
      );
    });
  });

  describe('exit codes', () => {
    it('--fail-on fails exactly when a finding is at least that severe', async () => {
      const asWarning = project('fail-on-warning', { '.pgready.json': JSON.stringify({ rules: { 'parse-error': 'warning' } }), 'app/broken.py': 'def f(:\n' });
      const asError = project('fail-on-error', { '.pgready.json': JSON.stringify({ rules: { 'parse-error': 'error' } }), 'app/broken.py': 'def f(:\n' });
      const dirs = [asWarning, asError, SMALL];
      const reports = await Promise.all(dirs.map((d) => json(['report', d])));
      const runs = await Promise.all(dirs.flatMap((d) => [cli(['report', d, '--fail-on', 'warning']), cli(['report', d, '--fail-on', 'error'])]));
      dirs.forEach((d, i) => {
        const issues = reports[i].report.findings.filter((f: any) => !f.strength);
        const hasError = issues.some((f: any) => f.severity === 'error');
        const hasWarning = hasError || issues.some((f: any) => f.severity === 'warning');
        assert.equal(reports[i].run.code, 0, 'no threshold, no failure');
        assert.equal(runs[2 * i].code, hasWarning ? 1 : 0, `${d} --fail-on warning`);
        assert.equal(runs[2 * i + 1].code, hasError ? 1 : 0, `${d} --fail-on error`);
      });
      assert.equal(runs[0].code, 1, 'the parse error raised to a warning fails --fail-on warning');
      assert.equal(runs[3].code, 1, 'the parse error raised to an error fails --fail-on error');
    });

    it('--fail-under compares with the overall score', async () => {
      for (const dir of [SMALL, EXAMPLE].filter((d) => fs.existsSync(d))) {
        const overall = (await json(['report', dir])).report.score.overall as number | null;
        if (overall === null) continue;
        const [at, above, zero] = await Promise.all([
          cli(['report', dir, '--fail-under', String(overall)]),
          cli(['report', dir, '--fail-under', String(Math.min(100, overall + 1))]),
          cli(['report', dir, '--fail-under', '0']),
        ]);
        assert.equal(at.code, 0, `${dir}: ${overall} is not under ${overall}`);
        assert.equal(above.code, overall < 100 ? 1 : 0, `${dir}: ${overall} vs ${overall + 1}`);
        assert.equal(zero.code, 0);
      }
    });

    it('a bad config is exit 2 with one line', async () => {
      const unknownKey = project('bad-config-key', { '.pgready.json': '{"rulez": {}}', 'a.sql': 'SELECT 1;\n' });
      const badLevel = project('bad-config-level', { '.pgready.json': '{"rules": {"parse-error": "loud"}}', 'a.sql': 'SELECT 1;\n' });
      const badJson = project('bad-config-json', { '.pgready.json': '{ rules: ', 'a.sql': 'SELECT 1;\n' });
      const [a, b, c, d] = await Promise.all([
        cli(['report', unknownKey]),
        cli(['report', badLevel]),
        cli(['report', badJson]),
        cli(['report', SMALL, '--config', path.join(tmp, 'missing.json')]),
      ]);
      assertUsageError(a, /bad config \.pgready\.json: unknown config key "rulez"/);
      assertUsageError(b, /"rules\.parse-error" must be/);
      assertUsageError(c, /invalid JSON in config \.pgready\.json/);
      assertUsageError(d, /cannot read config .*missing\.json: ENOENT/);
    });

    it('--config FILE replaces the discovered config', async () => {
      const cfg = path.join(tmp, 'ignore-broken.json');
      fs.writeFileSync(cfg, JSON.stringify({ ignore: ['app/broken.py'] }));
      const { run, report } = await json(['report', SMALL, '--config', cfg]);
      assert.equal(run.code, 0);
      assert.ok(!report.findings.some((f: any) => f.file === 'app/broken.py'));
    });
  });

  describe('awkward folders', () => {
    it('an empty folder reports no findings and an unknown score', async () => {
      const dir = project('empty', {});
      const [{ run, report }, gate] = await Promise.all([json(['report', dir]), cli(['report', dir, '--fail-under', '90'])]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(report.findings.filter((f: any) => f.file !== null), []);
      assert.equal(gate.code, report.score.overall === null || report.score.overall >= 90 ? 0 : 1);
    });

    it('binary, non-UTF-8 and oversized files are skipped with a note; ignored folders are not read', async () => {
      const dir = project('awkward', {
        '.pgready.json': JSON.stringify({ maxFileBytes: 4000 }),
        'app/ok.py': 'def ok():\n    return 1\n',
        'app/binary.py': Buffer.from([0x64, 0x65, 0x66, 0x00, 0x01, 0x02, 0xff]),
        'app/latin1.py': Buffer.from('# caf\u00e9\nx = 1\n', 'latin1'),
        'app/bom.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('def f(:\n')]),
        'app/huge.py': '# padding\n'.repeat(1000),
        'node_modules/pkg/broken.py': 'def f(:\n',
        '.venv/lib/broken.py': 'def f(:\n',
        'notes.txt': 'def f(:\n',
      });
      const { run, report } = await json(['report', dir]);
      assert.equal(run.code, 0, run.stderr);
      const notes = report.findings.filter((f: any) => f.rule === 'parse-error').map((f: any) => f.message as string);
      const about = (file: string) => notes.filter((m: string) => m.startsWith(file + ':'));
      assert.match(about('app/binary.py')[0] ?? '', /binary/);
      assert.match(about('app/latin1.py')[0] ?? '', /not UTF-8/);
      assert.match(about('app/huge.py')[0] ?? '', /larger than/);
      assert.equal(about('app/bom.py').length, 1, 'a BOM-prefixed file is read (and this one has a syntax error)');
      assert.deepEqual(about('app/ok.py'), []);
      assert.ok(!notes.some((m: string) => /node_modules|\.venv|notes\.txt/.test(m)), notes.join('\n'));
    });

    it('a symlink loop ends; a linked file is read once, under its real path', async function () {
      const dir = project('links', { 'app/real/models.py': 'def f(:\n' });
      try {
        fs.symlinkSync('..', path.join(dir, 'app', 'real', 'loop'));
        fs.symlinkSync(path.join(dir, 'app'), path.join(dir, 'again'));
        fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.py'));
      } catch {
        this.skip();
      }
      const { run, report } = await json(['report', dir]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(report.findings.filter((f: any) => f.file !== null).map((f: any) => f.file), ['app/real/models.py']);
    });

    it('stdout holds only the report while progress (if any) goes to stderr', async () => {
      const dir = project('many', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`app/m${i}.py`, `def f${i}(x):\n    return x + ${i}\n`])));
      const { run, report } = await json(['report', dir]);
      assert.equal(run.code, 0);
      assert.equal(report.tool, 'pgready');
      for (const line of run.stderr.split('\n').filter(Boolean)) assert.match(line, PROGRESS);
    });
  });
});

function checkSarif(sarif: any, dir: string): void {
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.$schema);
  assert.equal(sarif.runs.length, 1);
  const run = sarif.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'pgready');
  assert.equal(driver.version, VERSION);
  assert.match(driver.informationUri, /^https:\/\//);
  const ids = driver.rules.map((x: any) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const rule of driver.rules) {
    assert.ok(rule.id && rule.name && rule.shortDescription.text && rule.fullDescription.text);
    assert.ok(rule.help.text && rule.help.markdown);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    assert.ok(Array.isArray(rule.properties.tags) && CATEGORIES.includes(rule.properties.tags[0]));
  }
  assert.ok(run.results.length > 0);
  const fingerprints = new Set<string>();
  for (const res of run.results) {
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text);
    const fp = res.partialFingerprints['pgready/v1'];
    assert.match(fp, /^[0-9a-f]{16}$/);
    assert.ok(!fingerprints.has(fp), `duplicate fingerprint ${fp}`);
    fingerprints.add(fp);
    assert.ok(res.locations?.length >= 1, 'GitHub rejects results without a location');
    const loc = res.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.ok(!/^[a-z]+:|^\//i.test(loc.artifactLocation.uri), `relative uri: ${loc.artifactLocation.uri}`);
    assert.ok(fs.existsSync(path.join(dir, decodeURIComponent(loc.artifactLocation.uri))), loc.artifactLocation.uri);
    if (loc.region) assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1 && loc.region.endLine >= loc.region.startLine);
  }
}
