'use strict';
// extensionTestsPath module: VS Code's extension host requires this file and awaits run().
// Runs mocha (from the repo's node_modules) on
//   * PGREADY_VSCODE_TESTS: comma-separated files, directories (their *.test.js / *.test.ts) or globs, or
//   * by default suite/*.test.js and suite/*.test.ts next to this file.
// .ts test files are loaded through tsx (tsx/cjs), which the repo already has.
// Other knobs: PGREADY_MOCHA_GREP (only tests whose title matches), PGREADY_MOCHA_TIMEOUT (ms, default 60000),
// PGREADY_VSCODE_RESULTS (write a JSON summary there).
// Ends with the line "N passed, N failed" and rejects when anything failed (-> codeAutomationExit(1)).

const fs = require('fs');
const path = require('path');

function isTestFile(f) { return /\.test\.(c?js|ts)$/.test(f); }

function expand(entry) {
  const p = path.resolve(entry);
  if (/[*?[{]/.test(entry)) {
    try {
      const { globSync } = require('glob'); // glob 10 comes with mocha 11
      return globSync(p, { absolute: true, nodir: true }).sort();
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
      // Fallback: wildcards (* ?) in the last path segment only.
      const dir = path.dirname(p);
      const re = new RegExp(`^${path.basename(p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
      return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f)) : [];
    }
  }
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
    return fs.readdirSync(p).filter(isTestFile).sort().map((f) => path.join(p, f));
  }
  if (!fs.existsSync(p)) throw new Error(`test file not found: ${p}`);
  return [p];
}

function testFiles() {
  const spec = process.env.PGREADY_VSCODE_TESTS;
  const entries = spec ? spec.split(',').map((s) => s.trim()).filter(Boolean) : [path.join(__dirname, 'suite')];
  const files = [...new Set(entries.flatMap(expand))];
  if (!files.length) throw new Error(`no test files found in ${entries.join(', ')}`);
  return files;
}

exports.run = async function run() {
  const mochaMod = require('mocha');
  const Mocha = mochaMod.default || mochaMod.Mocha || mochaMod; // mocha 12 is ESM-only: namespace object
  const files = testFiles();
  if (files.some((f) => f.endsWith('.ts'))) require('tsx/cjs');

  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    reporter: 'spec',
    timeout: Number(process.env.PGREADY_MOCHA_TIMEOUT || 60000),
    ...(process.env.PGREADY_MOCHA_GREP ? { grep: process.env.PGREADY_MOCHA_GREP } : {}),
  });
  for (const f of files) mocha.addFile(f);
  console.log(`mocha-runner: ${files.length} file(s): ${files.join(', ')}`);

  const results = { passed: [], failed: [], pending: [] };
  const failures = await new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((n) => resolve(n));
      runner.on('pass', (t) => results.passed.push(t.fullTitle()));
      runner.on('pending', (t) => results.pending.push(t.fullTitle()));
      runner.on('fail', (t, err) => results.failed.push({ title: t.fullTitle(), error: String(err && (err.stack || err.message)) }));
    } catch (e) { reject(e); }
  });
  if (process.env.PGREADY_VSCODE_RESULTS) {
    fs.writeFileSync(process.env.PGREADY_VSCODE_RESULTS, JSON.stringify(results, null, 2) + '\n');
  }
  const skipped = results.pending.length ? `, ${results.pending.length} skipped` : '';
  console.log(`${results.passed.length} passed, ${results.failed.length} failed${skipped}`);
  if (failures || results.failed.length) throw new Error(`${results.failed.length || failures} test(s) failed`);
};
