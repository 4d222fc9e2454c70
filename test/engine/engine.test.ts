import * as assert from 'assert';
import { defineRule, Engine, RULES, defaultSettings } from '../../src/engine';
import { ready$ } from '../helpers';

describe('warm engine', () => {
  before(ready$);

  it('turns a file the caller skipped into a parse-error note until the file is set', () => {
    const engine = new Engine();
    engine.setFile('migrations/V1__init.sql', 'CREATE TABLE t (id bigint PRIMARY KEY);');
    engine.noteSkipped('data/dump.bin', 'skipped: binary file');
    const notes = () => engine.analyze().findings.filter((f) => f.rule === 'parse-error').map((f) => f.message);
    assert.deepStrictEqual(notes(), ['data/dump.bin: skipped: binary file']);
    assert.deepStrictEqual(notes(), ['data/dump.bin: skipped: binary file'], 'a second analysis reports it once');
    engine.setFile('data/dump.bin', 'SELECT 1;');
    assert.deepStrictEqual(notes(), []);
  });

  it('reports a failing rule once per analysis, however often the cached facts are re-analysed', () => {
    const broken = defineRule({ ...RULES[0], id: 'zz-broken', check: () => { throw new Error('boom'); } });
    const engine = new Engine(defaultSettings(), [...RULES, broken]);
    engine.setFile('migrations/V1__init.sql', 'CREATE TABLE t (id bigint PRIMARY KEY);');
    for (let i = 0; i < 3; i++) {
      assert.deepStrictEqual(engine.analyze().problems.map((p) => p.message), ['internal error in rule zz-broken: boom']);
    }
  });
});
