// Grammar tests for syntaxes/sql-in-strings.injection.tmLanguage.json with the real TextMate engine
// (vscode-textmate + vscode-oniguruma, both wasm, from npm). Host grammars: small stand-ins always, and the
// real VS Code grammars (MagicPython, TypeScript, SQL) when code-server is installed in the cache folder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.join(__dirname, '..', '..');
const INJECTION = 'pgready.sql-in-strings.injection';
const HOSTS = ['source.python', 'source.ts', 'source.js', 'source.tsx'];
const EMBEDDED = 'meta.embedded.sql.pgready';

const STUBS: Record<string, object> = {
  'source.python': {
    scopeName: 'source.python',
    patterns: [
      { match: '#.*$', name: 'comment.line.number-sign.python' },
      { begin: '"""', end: '"""', name: 'string.quoted.docstring.multi.python' },
      { begin: '"', end: '"|$', name: 'string.quoted.single.python' },
      { begin: "'", end: "'|$", name: 'string.quoted.single.python' },
    ],
  },
  'source.ts': {
    scopeName: 'source.ts',
    patterns: [
      { match: '//.*$', name: 'comment.line.double-slash.ts' },
      { begin: '`', end: '`', name: 'string.template.ts' },
      { begin: '"', end: '"|$', name: 'string.quoted.double.ts' },
      { begin: "'", end: "'|$", name: 'string.quoted.single.ts' },
    ],
  },
  'source.sql': {
    scopeName: 'source.sql',
    patterns: [
      { match: '(?i)\\b(select|from|where|create|index|on|insert|into|values|update|set|and)\\b', name: 'keyword.other.sql' },
      { match: ':\\w+|\\$\\d+|%\\(\\w+\\)s|%s', name: 'variable.parameter.sql' },
    ],
  },
};

const CACHE = process.env.PGREADY_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'pgready-vscode');
const BUILTIN = path.join(CACHE, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
const REAL: Record<string, string> = {
  'source.python': path.join(BUILTIN, 'python', 'syntaxes', 'MagicPython.tmLanguage.json'),
  'source.ts': path.join(BUILTIN, 'typescript-basics', 'syntaxes', 'TypeScript.tmLanguage.json'),
  'source.sql': path.join(BUILTIN, 'sql', 'syntaxes', 'sql.tmLanguage.json'),
};
const haveReal = Object.values(REAL).every((p) => fs.existsSync(p));

let onig: Promise<vsctm.IOnigLib> | undefined;
function onigLib(): Promise<vsctm.IOnigLib> {
  onig ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return { createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s), createOnigString: (s: string) => new oniguruma.OnigString(s) };
  })();
  return onig;
}

function registry(real: boolean): vsctm.Registry {
  return new vsctm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scope) => {
      if (scope === INJECTION) {
        const p = path.join(ROOT, 'syntaxes', 'sql-in-strings.injection.tmLanguage.json');
        return vsctm.parseRawGrammar(fs.readFileSync(p, 'utf8'), p);
      }
      if (real && REAL[scope]) return vsctm.parseRawGrammar(fs.readFileSync(REAL[scope], 'utf8'), REAL[scope]);
      const stub = STUBS[scope === 'source.js' || scope === 'source.tsx' ? 'source.ts' : scope];
      return stub ? vsctm.parseRawGrammar(JSON.stringify({ ...stub, scopeName: scope }), `${scope}.json`) : null;
    },
    getInjections: (scope) => (HOSTS.includes(scope) ? [INJECTION] : undefined),
  });
}

interface Token {
  text: string;
  scopes: string[];
}

async function tokenize(reg: vsctm.Registry, scope: string, code: string): Promise<Token[]> {
  const grammar = await reg.loadGrammar(scope);
  assert.ok(grammar, scope);
  let stack = vsctm.INITIAL;
  const out: Token[] = [];
  for (const line of code.split('\n')) {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) out.push({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    stack = r.ruleStack;
  }
  return out;
}

/** Scopes of the first token whose text (trimmed) is `word`. */
function scopesOf(tokens: Token[], word: string): string[] {
  const t = tokens.find((x) => x.text.trim() === word) ?? tokens.find((x) => x.text.includes(word));
  assert.ok(t, `no token ${word} in ${JSON.stringify(tokens.map((x) => x.text))}`);
  return t.scopes;
}

const isSql = (scopes: string[]) => scopes.includes(EMBEDDED) && scopes.some((s) => s.endsWith('.sql') && s.startsWith('keyword'));

for (const real of [false, true]) {
  const title = real ? 'with the real VS Code grammars' : 'with stand-in host grammars';
  describe(`syntaxes: SQL inside strings (${title})`, function () {
    if (real && !haveReal) {
      it.skip(`code-server's grammars not found under ${BUILTIN} (scripts/vscode/install-code-server.sh installs them)`);
      return;
    }
    const reg = registry(real);
    const py = (code: string) => tokenize(reg, 'source.python', code);
    const ts = (code: string) => tokenize(reg, 'source.ts', code);

    it('Python text("…") inside session.execute(…)', async () => {
      const t = await py('rows = session.execute(text("SELECT id FROM jobs WHERE title = :title"), {"title": title})');
      assert.ok(isSql(scopesOf(t, 'SELECT')), scopesOf(t, 'SELECT').join(' '));
      assert.ok(isSql(scopesOf(t, 'WHERE')));
      // The parameters dict after the SQL string is Python again.
      assert.ok(!scopesOf(t, '{').includes(EMBEDDED));
    });

    it('Alembic op.execute("""…""") across lines, also when the string starts on the next line', async () => {
      let t = await py('def upgrade():\n    op.execute("""\n        CREATE INDEX ix_jobs_status ON jobs (status)\n    """)\n');
      assert.ok(isSql(scopesOf(t, 'CREATE')));
      assert.ok(isSql(scopesOf(t, 'ON')));
      t = await py('op.execute(\n    """\n    CREATE INDEX ix ON jobs (status)\n    """\n)\nx = "CREATE"\n');
      assert.ok(isSql(scopesOf(t, 'CREATE')));
      assert.ok(!t.filter((x) => x.text.includes('CREATE')).at(-1)!.scopes.includes(EMBEDDED), 'the later plain string is not SQL');
    });

    it("cursor.execute('…', params), executemany, exec_driver_sql and raw strings", async () => {
      for (const code of [
        "cur.execute('UPDATE jobs SET status = %s', (s,))",
        'cur.executemany("INSERT INTO jobs VALUES (%s)", rows)',
        'conn.exec_driver_sql(r"SELECT 1")',
        "Job.objects.raw('SELECT * FROM jobs')",
      ]) {
        const t = await py(code);
        const kw = code.match(/UPDATE|INSERT|SELECT/)![0];
        const s = scopesOf(t, kw);
        assert.ok(s.includes(EMBEDDED), `${code}: ${s.join(' ')}`);
      }
    });

    it('leaves other strings, comments and non-string first arguments alone', async () => {
      for (const code of ['print("SELECT id FROM jobs")', '# session.execute(text("SELECT 1"))', 'session.execute(select(Job).where(Job.id == 1))', 'x = "SELECT" # execute(']) {
        const t = await py(code);
        assert.ok(!t.some((x) => x.scopes.includes(EMBEDDED)), `${code}: ${JSON.stringify(t)}`);
      }
    });

    it('TS/JS sql`…` tagged templates with substitutions', async () => {
      const t = await ts('const rows = await sql`SELECT id FROM jobs WHERE company_id = ${companyId}`;\nconst after = 1;');
      assert.ok(isSql(scopesOf(t, 'SELECT')));
      assert.ok(isSql(scopesOf(t, 'WHERE')));
      assert.ok(!scopesOf(t, 'after').includes(EMBEDDED), 'the template ends');
    });

    it('Prisma $queryRaw`…` (with a type argument) and $queryRawUnsafe("…")', async () => {
      let t = await ts('const users = await prisma.$queryRaw<User[]>`SELECT * FROM users WHERE id = ${id}`;');
      assert.ok(isSql(scopesOf(t, 'SELECT')));
      t = await ts('await prisma.$queryRawUnsafe("SELECT * FROM users WHERE email = $1", email);');
      assert.ok(isSql(scopesOf(t, 'SELECT')));
    });

    it("node-postgres query('…', [params]) and query(`…`), not other calls", async () => {
      let t = await ts("const r = await pool.query('SELECT id FROM jobs WHERE id = $1', [id]);");
      assert.ok(isSql(scopesOf(t, 'SELECT')));
      t = await ts('await client.query(`UPDATE jobs SET status = $1`, [s]);');
      assert.ok(isSql(scopesOf(t, 'UPDATE')));
      t = await ts('log("SELECT is a keyword"); // query("SELECT")');
      assert.ok(!t.some((x) => x.scopes.includes(EMBEDDED)), JSON.stringify(t));
    });
  });
}
