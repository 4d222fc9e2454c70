// Bundles the CLI, the benchmark and (when present) the VS Code extension with esbuild, and copies the
// parser WASM files next to them. Bundles are CommonJS for Node 20: web-tree-sitter is required (its CJS
// build), and libpg-query resolves its wasm from the bundle's __dirname, so the wasm must sit in dist/.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // parser.ts resolves wasm from node_modules only when no locateWasm is given; bundles always pass one.
  logOverride: { 'require-resolve-not-external': 'silent' },
  absWorkingDir: root,
  // pg and PGlite are loaded at run time from node_modules by src/db (PGlite ships its own wasm/data files).
  external: ['pg', 'pg-native', '@electric-sql/pglite', '@electric-sql/pglite-socket'],
};

// The TypeScript compiler (9 MB) is loaded on the first TS/JS file, not at start-up: bundling it would put it on
// the extension's activation path. Every bundle requires it from a copy beside itself (dist/typescript.js, its
// own lib/typescript.js, which needs nothing but Node's built-ins for parsing).
const typescriptBeside = {
  name: 'typescript-beside',
  setup(b) {
    b.onResolve({ filter: /^typescript$/ }, () => ({ path: './typescript.js', external: true }));
  },
};

const entries = [
  { in: 'src/cli/main.ts', out: 'cli.js', banner: '#!/usr/bin/env node', exec: true },
  { in: 'scripts/bench.ts', out: 'bench.js' },
  // The .vsix ships no node_modules: the extension bundles pg and PGlite (PGlite's wasm/data/contrib files are
  // copied next to it below; src/db/shadow.ts points the contrib modules at them).
  { in: 'src/vscode/extension.ts', out: 'extension.js', external: ['vscode'], bundled: ['pg', '@electric-sql/pglite'], optional: true },
];

const t0 = Date.now();
await Promise.all(
  entries
    .filter((e) => !e.optional || existsSync(join(root, e.in)))
    .map(async (e) => {
      await build({
        ...common,
        entryPoints: [join(root, e.in)],
        outfile: join(dist, e.out),
        external: [...common.external, ...(e.external ?? [])].filter((x) => !(e.bundled ?? []).includes(x)),
        banner: e.banner ? { js: e.banner } : undefined,
        plugins: [typescriptBeside],
      });
      if (e.exec) chmodSync(join(dist, e.out), 0o755);
    }),
);

for (const wasm of [
  'node_modules/libpg-query/wasm/libpg-query.wasm',
  'node_modules/web-tree-sitter/tree-sitter.wasm',
  'node_modules/tree-sitter-python/tree-sitter-python.wasm',
  'node_modules/typescript/lib/typescript.js',
]) {
  copyFileSync(join(root, wasm), join(dist, wasm.split('/').pop()));
}
// PGlite for the bundled extension: the WASM backend, its file-system image, initdb, and the contrib
// extensions src/db/shadow.ts can load (the same list as its CONTRIB map).
const pglite = 'node_modules/@electric-sql/pglite/dist';
const contrib = ['pg_trgm', 'pg_stat_statements', 'pgcrypto', 'uuid-ossp', 'citext', 'hstore', 'ltree', 'btree_gin', 'btree_gist', 'unaccent', 'fuzzystrmatch', 'intarray', 'cube', 'earthdistance', 'tablefunc'];
for (const f of ['pglite.wasm', 'pglite.data', 'initdb.wasm', ...contrib.map((c) => `${c}.tar.gz`)]) copyFileSync(join(root, pglite, f), join(dist, f));
console.log(`built dist/ in ${Date.now() - t0} ms`);
