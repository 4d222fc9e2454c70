import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readmeWithRules } from '../../scripts/gen-readme-rules';
import { ROOT } from '../helpers';

describe('README', () => {
  it('lists every rule of the registry, as `npm run docs:rules` writes it', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.strictEqual(readme, readmeWithRules(readme), 'README.md rules table is out of date: run npm run -s docs:rules');
  });
});
