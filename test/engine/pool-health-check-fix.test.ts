import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeFiles, defaultSettings, type SourceFile } from '../../src/engine';
import type { Finding } from '../../src/engine/types';
import { FIXTURES, readCase, ready$ } from '../helpers';

// missing-pool-health-check's quick fixes prove themselves: apply each one to its fixture, analyse the
// project again, and the finding it fixed is gone (one fewer, no parse error); a few exact texts pin the
// edit's shape (same-line kwarg, one-per-line kwarg, Django dict entry, pool.on('error') line).

const ID = 'missing-pool-health-check';

function applyFix(files: SourceFile[], f: Finding): SourceFile[] {
  return files.map((s) => {
    let text = s.text;
    for (const e of [...f.fix!.edits].filter((e) => e.file === s.path).sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
    return { path: s.path, text };
  });
}

const mine = (files: SourceFile[]) => analyzeFiles(files, defaultSettings()).findings.filter((f) => f.rule === ID && !f.strength);

function fixedText(file: string, text: string): string {
  const files = [{ path: file, text }];
  const found = mine(files);
  assert.strictEqual(found.length, 1, found.map((f) => f.message).join('\n'));
  assert.ok(found[0].fix, 'no fix');
  return applyFix(files, found[0])[0].text;
}

describe(`${ID} fixes`, () => {
  before(ready$);

  const dir = path.join(FIXTURES, 'rules', ID);
  for (const name of fs.readdirSync(dir).sort()) {
    it(`every fix in ${name} removes its finding`, () => {
      const files = readCase(path.join(dir, name));
      const before = mine(files);
      for (const f of before.filter((x) => x.fix)) {
        const after = analyzeFiles(applyFix(files, f), defaultSettings()).findings;
        assert.ok(!after.some((x) => x.rule === 'parse-error'), `fix for ${f.span?.file}:${f.span?.line} breaks parsing`);
        assert.strictEqual(after.filter((x) => x.rule === ID && !x.strength).length, before.length - 1, `fix for ${f.span?.file}:${f.span?.line} did not remove exactly its finding`);
      }
    });
  }

  it('adds pool_pre_ping=True to a one-line and a one-per-line create_engine', () => {
    assert.strictEqual(
      fixedText('db.py', 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://a@h/d", pool_size=5)\n'),
      'from sqlalchemy import create_engine\nengine = create_engine("postgresql://a@h/d", pool_size=5, pool_pre_ping=True)\n',
    );
    assert.strictEqual(
      fixedText('db.py', 'from sqlalchemy import create_engine\nengine = create_engine(\n    "postgresql://a@h/d",\n    pool_size=5,\n)\n'),
      'from sqlalchemy import create_engine\nengine = create_engine(\n    "postgresql://a@h/d",\n    pool_size=5,\n    pool_pre_ping=True,\n)\n',
    );
    assert.strictEqual(
      fixedText('db.py', 'from sqlalchemy import create_engine\nengine = create_engine("postgresql://a@h/d", pool_pre_ping=False)\n'),
      'from sqlalchemy import create_engine\nengine = create_engine("postgresql://a@h/d", pool_pre_ping=True)\n',
    );
  });

  it('adds CONN_HEALTH_CHECKS next to CONN_MAX_AGE', () => {
    const settings = (age: string) => `DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.postgresql",\n${age}    },\n}\n`;
    assert.strictEqual(fixedText('settings.py', settings('        "CONN_MAX_AGE": 60,\n')), settings('        "CONN_MAX_AGE": 60,\n        "CONN_HEALTH_CHECKS": True,\n'));
    assert.strictEqual(fixedText('settings.py', settings("        'CONN_MAX_AGE': None\n")), settings("        'CONN_MAX_AGE': None,\n        'CONN_HEALTH_CHECKS': True,\n"));
  });

  it("adds pool.on('error', …) after the pool's declaration", () => {
    assert.strictEqual(
      fixedText('db.ts', "import { Pool } from 'pg';\n\nexport const pool = new Pool({\n  max: 20,\n});\n"),
      "import { Pool } from 'pg';\n\nexport const pool = new Pool({\n  max: 20,\n});\npool.on('error', (err) => console.error('idle PostgreSQL client error', err));\n",
    );
  });
});
