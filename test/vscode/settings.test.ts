import * as assert from 'assert';
import { ruleDocsMarkdown } from '../../src/vscode/docs';
import { engineSettings, readEditorSettings } from '../../src/vscode/settings';
import { RULES } from '../../src/engine';

const config = (values: Record<string, unknown>) => ({ get: <T>(k: string) => values[k] as T | undefined });

describe('vscode: settings', () => {
  it('reads pgready.* with defaults and drops invalid values', () => {
    assert.deepStrictEqual(readEditorSettings(config({})), { enable: true, rules: {}, exclude: [], postgresVersion: null });
    assert.deepStrictEqual(
      readEditorSettings(config({ enable: false, rules: { 'n-plus-one': 'off', x: 'loud' }, exclude: ['legacy/**', 3], postgresVersion: 16.5 })),
      { enable: false, rules: { 'n-plus-one': 'off' }, exclude: ['legacy/**'], postgresVersion: null },
    );
  });

  it('merges editor settings over .pgready.json', () => {
    const editor = readEditorSettings(config({ rules: { 'n-plus-one': 'error' }, exclude: ['b/**'], postgresVersion: 16 }));
    const { settings, error } = engineSettings(editor, JSON.stringify({ rules: { 'n-plus-one': 'off', 'missing-downgrade': 'off' }, ignore: ['a/**'], postgresVersion: 13 }));
    assert.strictEqual(error, undefined);
    assert.deepStrictEqual(settings.rules, { 'n-plus-one': 'error', 'missing-downgrade': 'off' });
    assert.deepStrictEqual(settings.ignore, ['a/**', 'b/**']);
    assert.strictEqual(settings.postgresVersion, 16);
    assert.strictEqual(engineSettings(readEditorSettings(config({})), '{"postgresVersion": 13}').settings.postgresVersion, 13);
  });

  it('a broken .pgready.json is reported and ignored', () => {
    const { settings, error } = engineSettings(readEditorSettings(config({})), '{"rulez": {}}');
    assert.match(error!, /^\.pgready\.json: unknown config key "rulez"/);
    assert.strictEqual(settings.postgresVersion, 15);
    assert.match(engineSettings(readEditorSettings(config({})), '{ nope').error!, /^\.pgready\.json: /);
  });
});

describe('vscode: rule docs document', () => {
  it('every rule renders with Ruff-style headings and both examples', () => {
    for (const rule of RULES) {
      const md = ruleDocsMarkdown(rule);
      assert.ok(md.startsWith(`# ${rule.id}\n`), rule.id);
      for (const h of ['## What it does', '## Why is this bad?', '## Instead']) assert.ok(md.includes(h), `${rule.id}: ${h}`);
      if (Object.keys(rule.examples.bad).length) assert.ok(md.includes('## Example (fires)'), rule.id);
    }
  });
});
