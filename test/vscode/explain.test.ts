// The pure parts of the editor's EXPLAIN: CodeLens ranges from the engine's SQL sites, the plan page's
// escaping (the view model is embedded as JSON and rendered by media/plan.js with textContent only), and
// the connection settings → URL/label mapping (the password only ever in the URL).
import * as assert from 'assert';
import * as path from 'path';
import { Engine, initEngine } from '../../src/engine';
import { buildPlan, planViewModel, rawExplainOf } from '../../src/engine/explain';
import { connectionLabel, connectionUrl, dotenvDatabaseUrl, readConnectionSettings, readExplainSettings, secretKey, urlLabel } from '../../src/vscode/connection/config';
import { jsonForScript, planPageHtml } from '../../src/vscode/explain/html';
import { lensSites, siteAt, sqlTitle } from '../../src/vscode/explain/lenses';

const config = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });

describe('vscode: EXPLAIN CodeLens sites', function () {
  this.timeout(60000);
  before(async () => {
    await initEngine();
  });

  it('one site per SQL string in Python and per DML statement in a .sql file, with 0-based ranges', () => {
    const e = new Engine();
    e.setFile(
      'app/q.py',
      'from sqlalchemy import text\n\n\ndef f(session, s):\n    a = session.execute(text("SELECT id FROM jobs WHERE status = :s"), {"s": s})\n    b = session.execute(text(f"SELECT id FROM jobs WHERE title = \'{s}\'"))\n    return a, b\n',
    );
    e.setFile('queries/report.sql', '-- report\nSELECT count(*) FROM jobs;\n\nUPDATE jobs SET status = \'closed\' WHERE id = 1;\nCREATE INDEX ix ON jobs (title);\n');
    const py = lensSites(e.facts().sqlSites, 'app/q.py');
    // The f-string is not a constant statement: no lens (EXPLAIN needs SQL the engine knows).
    assert.deepStrictEqual(py.map((s) => [s.range.startLine, s.range.startCharacter, s.sql]), [[4, 29, 'SELECT id FROM jobs WHERE status = :s']]);
    const sql = lensSites(e.facts().sqlSites, 'queries/report.sql');
    assert.deepStrictEqual(sql.map((s) => [s.range.startLine, s.origin]), [[1, 'sql-file'], [3, 'sql-file']]);
    assert.match(sql[1].sql, /^UPDATE jobs SET status/);
    assert.deepStrictEqual(lensSites(e.facts().sqlSites, 'other.py'), []);
  });

  it('siteAt finds the statement under the cursor; titles are one line', () => {
    const sites = [{ range: { startLine: 2, startCharacter: 4, endLine: 4, endCharacter: 10 }, sql: 'SELECT 1', origin: 'sql-file' }];
    assert.ok(siteAt(sites, 3, 0));
    assert.ok(siteAt(sites, 2, 4));
    assert.ok(siteAt(sites, 4, 10));
    assert.strictEqual(siteAt(sites, 2, 3), undefined);
    assert.strictEqual(siteAt(sites, 4, 11), undefined);
    assert.strictEqual(sqlTitle('SELECT  a,\n  b FROM t', 60), 'SELECT a, b FROM t');
    assert.strictEqual(sqlTitle('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  });
});

describe('vscode: plan page', () => {
  const evil = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
  const plan = buildPlan(
    rawExplainOf([{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': evil, Alias: 'j', 'Startup Cost': 0, 'Total Cost': 12.5, 'Plan Rows': 250, 'Plan Width': 8, Filter: `(title = '${evil}'::text)` } }]),
  );
  const vm = planViewModel(plan, { notes: [`note ${evil}`], source: 'embedded PGlite (PostgreSQL 18.6)', sql: `SELECT * FROM "${evil}"` });
  const res = { nonce: 'abc123', cspSource: 'https://x.vscode-cdn.net', cssUri: 'https://x/plan.css?a="b"', jsUri: 'https://x/plan.js' };

  it('embeds the view model as JSON no string can break out of', () => {
    const html = planPageHtml({ vm, origin: `q.py:1 ${evil}`, analyzed: false, buffers: false }, res);
    assert.ok(!html.includes('<script>alert'), 'no injected script element');
    assert.ok(!html.includes('<img'), 'no injected markup');
    assert.strictEqual((html.match(/<\/script>/g) ?? []).length, 2, 'only the page\'s own two script elements end');
    const json = /<script type="application\/json" id="plan-data">([\s\S]*?)<\/script>/.exec(html)![1];
    const page = JSON.parse(json);
    assert.strictEqual(page.vm.nodes[0].relation, evil, 'round-trips exactly');
    assert.strictEqual(page.origin, `q.py:1 ${evil}`);
    assert.match(html, /href="https:\/\/x\/plan\.css\?a=&quot;b&quot;"/);
  });

  it('has a strict CSP: no default sources, scripts only with the nonce', () => {
    const html = planPageHtml({ vm, analyzed: false, buffers: false }, res);
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; style-src https:\/\/x\.vscode-cdn\.net; img-src https:\/\/x\.vscode-cdn\.net; script-src &#39;nonce-abc123&#39;;"/);
    assert.match(html, /<script nonce="abc123" src="https:\/\/x\/plan\.js"><\/script>/);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  });

  it('jsonForScript escapes <, >, & and the JS line separators', () => {
    assert.strictEqual(jsonForScript({ a: '<&>\u2028\u2029' }), '{"a":"\\u003c\\u0026\\u003e\\u2028\\u2029"}');
    assert.deepStrictEqual(JSON.parse(jsonForScript({ a: '<&>\u2028' })), { a: '<&>\u2028' });
  });

  it('media/plan.js renders the view model with textContent only (a minimal DOM)', () => {
    const { render } = require(path.join(__dirname, '..', '..', 'media', 'plan.js')) as { render: (page: unknown, main: FakeEl) => void };
    const g = globalThis as unknown as { document: unknown; CSS: unknown };
    const prev = [g.document, g.CSS];
    g.document = { createElement: (tag: string) => new FakeEl(tag) };
    g.CSS = { escape: (s: string) => s };
    try {
      const main = new FakeEl('main');
      render({ vm, origin: 'q.py:3', analyzed: false, buffers: false }, main);
      const text = main.text();
      assert.ok(text.includes(`Seq Scan on ${evil} j`), text);
      assert.ok(text.includes(`note ${evil}`));
      assert.ok(text.includes('rows (est.)250'));
      assert.ok(main.all().every((e) => e.tag !== 'img' && e.tag !== 'script'), 'no element from the data');
    } finally {
      [g.document, g.CSS] = prev;
    }
  });
});

describe('vscode: plan page, index advice "Try it" / "Write migration"', () => {
  it('renders both actions for an index advice, and the cost before → after the extension posts', () => {
    const plan = buildPlan(rawExplainOf([{ Plan: { 'Node Type': 'Seq Scan', 'Relation Name': 'orders', 'Startup Cost': 0, 'Total Cost': 46, 'Plan Rows': 2, 'Plan Width': 8, Filter: '(total = $1)' } }]));
    const createIndex = 'CREATE INDEX CONCURRENTLY ix_orders_total ON orders (total);';
    const advice = [
      { rule: 'plan-seq-scan-filter' as const, severity: 'warning' as const, message: 'Sequential scan on "orders"', help: `Add an index: ${createIndex}`, path: [], nodeId: '0', nodeLabel: 'Seq Scan on orders', data: { table: 'orders', columns: ['total'], createIndex } },
      { rule: 'plan-row-misestimate' as const, severity: 'warning' as const, message: 'misestimate', help: 'ANALYZE', path: [], nodeId: '0', nodeLabel: 'Seq Scan on orders', data: {} },
    ];
    const vm = planViewModel(plan, { advice, source: 'db' });
    const { render, showTry } = require(path.join(__dirname, '..', '..', 'media', 'plan.js')) as { render: (page: unknown, main: FakeEl) => void; showTry: (m: unknown) => void };
    const g = globalThis as unknown as { document: unknown; CSS: unknown };
    const prev = [g.document, g.CSS];
    g.document = { createElement: (tag: string) => new FakeEl(tag) };
    g.CSS = { escape: (s: string) => s };
    try {
      const main = new FakeEl('main');
      render({ vm, analyzed: false, buffers: false, production: true }, main);
      const buttons = main.all().filter((e) => e.tag === 'button').map((e) => e.text());
      assert.deepStrictEqual(buttons.filter((b) => b === 'Try it' || b === 'Write migration'), ['Try it', 'Write migration'], 'only the index advice has them');
      assert.match(main.all().find((e) => e.text() === 'Try it')!.title, /Production connection/);
      showTry({ type: 'tryResult', index: 0, state: 'done', method: 'transaction', before: 46, after: 10.47, ratio: 10.47 / 46, usesIndex: true, indexName: 'ix_orders_total', notes: [], source: 'embedded PGlite' });
      assert.match(main.text(), /cost before → after46\.00 → 10\.47 \(−77\.2%\)/);
      assert.match(main.text(), /rolled back: nothing remains\. The plan uses ix_orders_total/);
      showTry({ type: 'tryResult', index: 0, state: 'error', message: 'Not tried: production' });
      assert.match(main.text(), /Not tried: production/);
      assert.doesNotMatch(main.text(), /46\.00 → 10\.47/);
    } finally {
      [g.document, g.CSS] = prev;
    }
  });
});

/** Just enough DOM for plan.js: elements with text, children, classes and listeners. */
class FakeEl {
  children: FakeEl[] = [];
  className = '';
  dataset: Record<string, string> = {};
  style: Record<string, string> = {};
  title = '';
  type = '';
  private own = '';
  constructor(readonly tag: string) {}
  set textContent(v: string) {
    this.own = v;
    this.children = [];
  }
  get textContent(): string {
    return this.text();
  }
  appendChild(c: FakeEl): FakeEl {
    this.children.push(c);
    return c;
  }
  addEventListener(): void {}
  querySelector(): undefined {
    return undefined;
  }
  text(): string {
    return this.own + this.children.map((c) => c.text()).join('');
  }
  all(): FakeEl[] {
    return [this, ...this.children.flatMap((c) => c.all())];
  }
}

describe('vscode: connection settings', () => {
  it('reads pgready.connection.* with libpq defaults', () => {
    const s = readConnectionSettings(config({ 'connection.host': ' db.internal ', 'connection.port': 6543, 'connection.database': 'shop', 'connection.user': 'app', 'connection.sslmode': 'require', 'connection.production': true }));
    assert.deepStrictEqual(s, { host: 'db.internal', port: 6543, database: 'shop', user: 'app', sslmode: 'require', production: true });
    assert.deepStrictEqual(readConnectionSettings(config({ 'connection.port': 'x', 'connection.sslmode': 'sometimes' })), { host: '', port: 5432, database: '', user: '', sslmode: '', production: false });
    assert.deepStrictEqual(readExplainSettings(config({})), { shadowRows: 0, statementTimeoutMs: 10000 });
    assert.deepStrictEqual(readExplainSettings(config({ 'shadow.rows': 5000.7, 'explain.statementTimeoutMs': 2500 })), { shadowRows: 5000, statementTimeoutMs: 2500 });
  });

  it('builds the URL with the password percent-encoded, and labels/keys without it', () => {
    const s = readConnectionSettings(config({ 'connection.host': 'db', 'connection.database': 'shop', 'connection.user': 'app user', 'connection.sslmode': 'verify-full' }));
    assert.strictEqual(connectionUrl(s, 'p@ss:/word#1'), 'postgresql://app%20user:p%40ss%3A%2Fword%231@db:5432/shop?sslmode=verify-full');
    assert.strictEqual(connectionUrl(s), 'postgresql://app%20user@db:5432/shop?sslmode=verify-full');
    assert.strictEqual(connectionLabel(s), 'app user@db/shop');
    assert.strictEqual(connectionLabel({ ...s, port: 6543, database: '' }), 'app user@db:6543/app user');
    assert.strictEqual(secretKey(s), 'pgready.connection.password:app user@db/shop');
    assert.strictEqual(connectionUrl({ ...s, host: '::1', sslmode: '' }), 'postgresql://app%20user@[::1]:5432/shop');
  });

  it('finds DATABASE_URL in a .env (export, quotes, comments; last wins; postgres URLs only)', () => {
    assert.strictEqual(dotenvDatabaseUrl('A=1\nDATABASE_URL=postgresql+asyncpg://u:p@h/db # local\n'), 'postgresql+asyncpg://u:p@h/db');
    assert.strictEqual(dotenvDatabaseUrl('export DATABASE_URL="postgres://u@h:5433/x"\n'), 'postgres://u@h:5433/x');
    assert.strictEqual(dotenvDatabaseUrl("DATABASE_URL='postgres://a@h/1'\nDATABASE_URL=postgres://b@h/2\n"), 'postgres://b@h/2');
    assert.strictEqual(dotenvDatabaseUrl('DATABASE_URL=sqlite:///x.db\n'), undefined);
    assert.strictEqual(dotenvDatabaseUrl('# DATABASE_URL=postgres://x\n'), undefined);
    assert.strictEqual(urlLabel('postgresql+asyncpg://app:secret@db.internal:5433/shop'), 'app@db.internal:5433/shop');
    assert.ok(!urlLabel('postgres://app:secret@h/db').includes('secret'));
  });
});
