import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cacheFileFor, pruneCache, readCacheEntry, writeCacheEntry, type CacheMeta } from '../../src/db/shadow-cache';
import { openShadow, PGLITE_VERSION, shadowKey, type ShadowStep } from '../../src/db/shadow';
import { ROOT } from '../helpers';

// The shadow database's cache: entries are published whole (temp name, then rename), a broken entry is
// reported and rebuilt rather than crashing, and concurrent builders never expose a half-written file.

const KEY = 'abcdef0123456789abcdef01';
const meta = (over: Partial<CacheMeta> = {}): CacheMeta => ({ key: KEY, created: '2026-01-01T00:00:00.000Z', steps: 2, rows: 0, notes: [{ sql: 'x', message: 'm' }], tables: ['t'], ...over });
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);

describe('db: shadow cache entries (files only)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-shadow-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips the notes, tables and data, leaving one file and no temp file', async () => {
    const file = cacheFileFor(dir, KEY);
    const tar = bytes(100_000);
    writeCacheEntry(file, meta(), tar);
    assert.deepStrictEqual(fs.readdirSync(dir), [`${KEY}.shadow`]);
    const r = await readCacheEntry(file, KEY);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepStrictEqual(r.meta, meta());
    assert.ok(Buffer.from(r.tar).equals(Buffer.from(tar)));
  });

  it('reports every kind of broken entry instead of throwing', async () => {
    const file = cacheFileFor(dir, KEY);
    assert.deepStrictEqual(await readCacheEntry(file, KEY), { ok: false, reason: 'missing' });
    writeCacheEntry(file, meta(), bytes(50_000));
    const good = fs.readFileSync(file);
    const cases: [string, Buffer, RegExp][] = [
      ['empty', Buffer.alloc(0), /not a pgready shadow cache file/],
      ['garbage', Buffer.from(bytes(70_000, 9)), /not a pgready shadow cache file/],
      ['an old gzip tarball', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 10, 10]), /not a pgready shadow cache file/],
      ['truncated', good.subarray(0, good.length - 1000), /bytes of data where 50000 were written/],
      ['extended', Buffer.concat([good, Buffer.from('x')]), /bytes of data where 50000 were written/],
      ['a flipped data byte', Buffer.from(good).fill(0x55, good.length - 20_000, good.length - 19_999), /does not match its checksum/],
      ['a broken header', Buffer.from(good.toString('latin1').replace('"tables"', '"tables'), 'latin1'), /header does not parse/],
    ];
    for (const [what, content, reason] of cases) {
      fs.writeFileSync(file, content);
      const r = await readCacheEntry(file, KEY);
      assert.ok(!r.ok, what);
      assert.match(r.reason, reason, what);
    }
    fs.writeFileSync(file, good);
    const other = await readCacheEntry(file, 'ffffffffffffffffffffffff');
    assert.ok(!other.ok && /not for this build/.test(other.reason));
  });

  it('concurrent builders of one key: a reader only ever sees a whole entry', async function () {
    this.timeout(120_000);
    const file = cacheFileFor(dir, KEY);
    const script = path.join(dir, 'writer.ts');
    // Each writer's data differs, so a file mixing two writes would fail its checksum.
    fs.writeFileSync(
      script,
      `const { writeCacheEntry, cacheFileFor } = require(${JSON.stringify(path.join(ROOT, 'src/db/shadow-cache.ts'))});
       const seed = Number(process.argv[2]);
       const tar = Uint8Array.from({ length: 3_000_000 + seed * 4096 }, (_, i) => (i * 31 + seed * 7) & 255);
       for (let i = 0; i < 25; i++) writeCacheEntry(cacheFileFor(${JSON.stringify(dir)}, ${JSON.stringify(KEY)}), { key: ${JSON.stringify(KEY)}, created: '', steps: seed, rows: 0, notes: [], tables: [] }, tar);`,
    );
    const writers = [1, 2].map(
      (seed) =>
        new Promise<number>((resolve) => {
          const p = spawn(process.execPath, ['--import', 'tsx', script, String(seed)], { cwd: ROOT, stdio: 'inherit' });
          p.on('exit', (code) => resolve(code ?? 1));
        }),
    );
    let done = false;
    const all = Promise.all(writers).finally(() => (done = true));
    const seen = { whole: 0, missing: 0 };
    while (!done) {
      const r = await readCacheEntry(file, KEY);
      if (r.ok) {
        seen.whole++;
        assert.ok([1, 2].includes(r.meta.steps));
        assert.strictEqual(r.tar.length, 3_000_000 + r.meta.steps * 4096);
      } else {
        assert.strictEqual(r.reason, 'missing');
        seen.missing++;
      }
    }
    assert.deepStrictEqual(await all, [0, 0]);
    assert.ok(seen.whole > 0, JSON.stringify(seen));
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), [`${KEY}.shadow`, 'writer.ts']);
  });

  it('prunes to the most recently used entries, dead builders\' temp files and the old format', () => {
    const old = Date.now() / 1000 - 3 * 3600;
    const keys = ['a', 'b', 'c'].map((c) => c.repeat(24));
    keys.forEach((k, i) => {
      writeCacheEntry(cacheFileFor(dir, k), meta({ key: k }), bytes(10));
      fs.utimesSync(cacheFileFor(dir, k), old + i * 60, old + i * 60);
    });
    const legacy = ['d'.repeat(24) + '.json', 'd'.repeat(24) + '.tar.gz'];
    for (const f of legacy) fs.writeFileSync(path.join(dir, f), 'x');
    const stale = `${'e'.repeat(24)}.shadow.tmp-123-abc`;
    const fresh = `${'f'.repeat(24)}.shadow.tmp-456-def`;
    fs.writeFileSync(path.join(dir, stale), 'x');
    fs.utimesSync(path.join(dir, stale), old, old);
    fs.writeFileSync(path.join(dir, fresh), 'x'); // a build in progress elsewhere
    pruneCache(dir, 2);
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), [`${'b'.repeat(24)}.shadow`, `${'c'.repeat(24)}.shadow`, fresh].sort());
    pruneCache(path.join(dir, 'does-not-exist'), 2); // best effort: no throw
  });

  it('PGLITE_VERSION (part of the cache key) is the installed PGlite', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    assert.strictEqual(PGLITE_VERSION, pkg.version);
  });
});

describe('db: shadow database with a broken cache (PGlite)', function () {
  this.timeout(300_000);
  const steps: ShadowStep[] = [{ sql: 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL)' }, { sql: 'CREATE INDEX ix_accounts_email ON accounts (email)' }];
  let dir: string;
  let file: string;
  let rejections: unknown[];
  const onRejection = (e: unknown) => rejections.push(e);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-shadow-broken-'));
    file = cacheFileFor(dir, shadowKey(steps));
    rejections = [];
    process.on('unhandledRejection', onRejection);
    const db = await openShadow(steps, { cacheDir: dir });
    await db.close();
    assert.ok(!db.fromCache && db.cacheFile === file && fs.existsSync(file));
  });

  after(() => {
    process.off('unhandledRejection', onRejection);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function reopen(): Promise<{ fromCache: boolean; progress: string[]; tables: string[] }> {
    const progress: string[] = [];
    const exitCode = process.exitCode;
    const db = await openShadow(steps, { cacheDir: dir, onProgress: (l) => progress.push(l) });
    try {
      assert.strictEqual((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts'))[0].n, 0);
      return { fromCache: db.fromCache, progress, tables: db.tables };
    } finally {
      await db.close();
      assert.strictEqual(process.exitCode, exitCode);
      assert.deepStrictEqual(rejections, []);
    }
  }

  it('opens from the cache when the entry is whole', async () => {
    const r = await reopen();
    assert.ok(r.fromCache);
    assert.deepStrictEqual(r.tables, ['accounts']);
    assert.deepStrictEqual(r.progress, []);
  });

  it('rebuilds over an entry whose bytes changed, and caches the rebuild', async () => {
    const buf = fs.readFileSync(file);
    buf[buf.length - 5000] ^= 0xff;
    fs.writeFileSync(file, buf);
    const r = await reopen();
    assert.ok(!r.fromCache);
    assert.match(r.progress.join('\n'), /unusable \(its data does not match its checksum\); rebuilding/);
    assert.ok((await readCacheEntry(file, shadowKey(steps))).ok);
    assert.ok((await reopen()).fromCache);
  });

  it('rebuilds over a whole entry whose data directory PostgreSQL cannot start', async () => {
    const key = shadowKey(steps);
    const entry = await readCacheEntry(file, key);
    assert.ok(entry.ok);
    // Overwrite pg_control's contents (the tar member's data follows its 512-byte header): a valid file
    // with a valid checksum, holding a data directory the server refuses.
    const tar = Buffer.from(entry.tar);
    const at = tar.indexOf('/global/pg_control\0');
    assert.ok(at >= 0 && at % 512 === 0, String(at));
    tar.fill(0x55, at + 512, at + 512 + 256);
    writeCacheEntry(file, entry.meta, tar);
    const r = await reopen();
    assert.ok(!r.fromCache);
    assert.match(r.progress.join('\n'), /would not start .*; rebuilding/);
    assert.ok((await reopen()).fromCache);
  });
});
