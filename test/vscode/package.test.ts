// The .vsix holds the bundle, its WASM files, media, syntaxes, package.json, README and LICENSE, and nothing
// from src/, test/ or node_modules. Packs a fresh .vsix into a temp folder with @vscode/vsce (needs
// dist/, which `npm test` builds first) and reads the zip's central directory.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createVSIX } from '@vscode/vsce';

const ROOT = path.join(__dirname, '..', '..');

/** File names in a zip, from its central directory (no dependency needed for that). */
export function zipEntries(buf: Buffer): string[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.strictEqual(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.toString('utf8', p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names.sort();
}

describe('vscode: .vsix contents', function () {
  this.timeout(180000);
  let entries: string[];

  before(async function () {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'extension.js'))) this.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgready-vsix-'));
    const out = path.join(dir, 'pgready.vsix');
    // vsce prints the file tree to stdout; keep the test output readable.
    const log = console.log;
    const info = console.info;
    console.log = console.info = () => undefined;
    try {
      await createVSIX({ cwd: ROOT, packagePath: out, dependencies: false, allowMissingRepository: true });
      entries = zipEntries(fs.readFileSync(out));
    } finally {
      console.log = log;
      console.info = info;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds the bundle, the parser wasm, media, syntaxes and the manifest files', () => {
    for (const want of [
      'extension/package.json',
      'extension/readme.md',
      'extension/LICENSE.txt',
      'extension/dist/extension.js',
      'extension/dist/libpg-query.wasm',
      'extension/dist/tree-sitter.wasm',
      'extension/dist/tree-sitter-python.wasm',
      'extension/media/pgready.svg',
      'extension/media/report.css',
      'extension/media/report.js',
      'extension/syntaxes/sql-in-strings.injection.tmLanguage.json',
      'extension.vsixmanifest',
    ]) {
      assert.ok(entries.includes(want), `${want} missing from ${entries.join(', ')}`);
    }
  });

  it('holds nothing from src/, test/, node_modules, examples, the CLI bundle or source maps', () => {
    const bad = entries.filter((e) => /^extension\/(src|test|node_modules|examples|scripts|docs)\//.test(e) || /\.(map|ts|vsix)$/.test(e) || /dist\/(cli|bench)\.js$/.test(e));
    assert.deepStrictEqual(bad, []);
  });
});
