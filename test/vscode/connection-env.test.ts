import * as assert from 'assert';
import { resolveTarget } from '../../src/db/connection';
import { chooseConnection, connectionLabel, connectionUrl, envConnectionSettings, secretKey, type ConnectionSettings } from '../../src/vscode/connection/config';

// Where the extension connects (pure, no editor): its settings, then the workspace .env's DATABASE_URL
// (asked once), then libpq's PG* variables, the way the CLI reads them. PGPASSWORD goes only into the
// in-memory URL, never into a label, a settings object or a secret key.

const NONE: ConnectionSettings = { host: '', port: 5432, database: '', user: '', sslmode: '', production: false };
const PG = { PGHOST: 'db.internal', PGPORT: '6543', PGDATABASE: 'shop', PGUSER: 'app', PGSSLMODE: 'require', PGPASSWORD: 'pa:ss@w/rd#1' };

describe('vscode: connection from PG* environment variables', () => {
  it('reads PGHOST, PGPORT, PGDATABASE, PGUSER and PGSSLMODE; nothing without a variable that names a server', () => {
    assert.deepStrictEqual(envConnectionSettings(PG), { host: 'db.internal', port: 6543, database: 'shop', user: 'app', sslmode: 'require' });
    assert.strictEqual(envConnectionSettings({}), undefined);
    assert.strictEqual(envConnectionSettings({ PGPASSWORD: 'x', PGSSLMODE: 'require', PGHOST: '  ', USER: 'me' }), undefined);
  });

  it('falls back to libpq\'s defaults, as the CLI does', () => {
    assert.deepStrictEqual(envConnectionSettings({ PGDATABASE: 'shop', USER: 'dev' }), { host: 'localhost', port: 5432, database: 'shop', user: 'dev', sslmode: '' });
    assert.deepStrictEqual(envConnectionSettings({ PGUSER: 'app' }), { host: 'localhost', port: 5432, database: '', user: 'app', sslmode: '' });
    // host and port lists: the first entry; PGHOSTADDR when there is no PGHOST; nonsense port and sslmode ignored
    assert.deepStrictEqual(envConnectionSettings({ PGHOST: 'primary,replica', PGPORT: '5433,5434', PGUSER: 'a' }), { host: 'primary', port: 5433, database: '', user: 'a', sslmode: '' });
    assert.deepStrictEqual(envConnectionSettings({ PGHOSTADDR: '10.0.0.5', PGPORT: '99999', PGSSLMODE: 'sometimes', USERNAME: 'win' }), { host: '10.0.0.5', port: 5432, database: '', user: 'win', sslmode: '' });
    // the CLI resolves the same variables to the same server
    const cli = resolveTarget({ env: { PGDATABASE: 'shop', USER: 'dev' } });
    const s = { ...envConnectionSettings({ PGDATABASE: 'shop', USER: 'dev' })!, production: false };
    assert.deepStrictEqual([cli.host, cli.port, cli.user, cli.database], [s.host, s.port, s.user, s.database]);
  });

  it('the URL carries PGPASSWORD percent-encoded and resolves to the same target in the db layer; labels never do', () => {
    const s = { ...envConnectionSettings(PG)!, production: false };
    const url = connectionUrl(s, PG.PGPASSWORD);
    assert.strictEqual(url, 'postgresql://app:pa%3Ass%40w%2Frd%231@db.internal:6543/shop?sslmode=require');
    const t = resolveTarget({ url, env: {} });
    assert.deepStrictEqual([t.host, t.port, t.user, t.database, t.config.password], ['db.internal', 6543, 'app', 'shop', PG.PGPASSWORD]);
    // …the same server, credentials and TLS the CLI gets from the variables themselves
    const cli = resolveTarget({ env: PG });
    assert.deepStrictEqual([t.host, t.port, t.user, t.database, t.config.password, t.config.ssl], [cli.host, cli.port, cli.user, cli.database, cli.config.password, cli.config.ssl]);
    assert.deepStrictEqual(t.config.ssl, { rejectUnauthorized: false }); // PGSSLMODE=require, as libpq means it
    assert.strictEqual(connectionLabel(s), 'app@db.internal:6543/shop');
    for (const shown of [connectionLabel(s), secretKey(s), JSON.stringify(s)]) assert.ok(!shown.includes('pa:ss') && !shown.includes('pa%3Ass'), shown);
  });

  it('a Unix-socket directory in PGHOST survives the URL', () => {
    const s = { ...envConnectionSettings({ PGHOST: '/var/run/postgresql', PGUSER: 'me' })!, production: false };
    const url = connectionUrl(s);
    assert.strictEqual(url, 'postgresql://me@%2Fvar%2Frun%2Fpostgresql:5432/me');
    assert.strictEqual(resolveTarget({ url, env: {} }).host, '/var/run/postgresql');
  });
});

describe('vscode: which connection wins', () => {
  const settings: ConnectionSettings = { host: 'settings-host', port: 5432, database: 'd', user: 'u', sslmode: '', production: false };
  const asked = () => {
    const calls: string[] = [];
    return { calls, dotenv: (url?: string) => async () => (calls.push('dotenv'), url) };
  };

  it('1. the extension\'s settings: .env is not even asked about, PG* ignored', async () => {
    const a = asked();
    const c = await chooseConnection({ settings, dotenvUrl: a.dotenv('postgres://x@dotenv/db'), env: PG });
    assert.deepStrictEqual(c, { source: 'settings', settings });
    assert.deepStrictEqual(a.calls, []);
  });

  it('2. the workspace .env\'s DATABASE_URL (when allowed) before PG*', async () => {
    const a = asked();
    const c = await chooseConnection({ settings: NONE, dotenvUrl: a.dotenv('postgres://x@dotenv/db'), env: PG });
    assert.deepStrictEqual(c, { source: 'dotenv', url: 'postgres://x@dotenv/db' });
    assert.deepStrictEqual(a.calls, ['dotenv']);
  });

  it('3. PG* when there is no .env URL or the user declined it; production follows the setting', async () => {
    const a = asked();
    const c = await chooseConnection({ settings: { ...NONE, production: true }, dotenvUrl: a.dotenv(undefined), env: PG });
    assert.deepStrictEqual(c, { source: 'env', settings: { host: 'db.internal', port: 6543, database: 'shop', user: 'app', sslmode: 'require', production: true }, password: PG.PGPASSWORD });
    assert.deepStrictEqual(a.calls, ['dotenv']);
    const { PGPASSWORD: _, ...noPassword } = PG;
    assert.ok(!('password' in (await chooseConnection({ settings: NONE, dotenvUrl: async () => undefined, env: noPassword }))!));
  });

  it('none of them: undefined (the embedded database)', async () => {
    assert.strictEqual(await chooseConnection({ settings: NONE, dotenvUrl: async () => undefined, env: { PGPASSWORD: 'secret', HOME: '/root' } }), undefined);
  });
});
