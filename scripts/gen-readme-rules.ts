// `npm run docs:rules`: regenerates README's rules table from the registry and the fixture folders, so
// README never drifts from them (test/engine/readme.test.ts fails when it does). The "Tested on" column
// lists the dialects that have fixture cases for the rule: it says what is proven, not what is hoped.
import * as fs from 'fs';
import * as path from 'path';
import { CATEGORY_LABELS, RULES } from '../src/engine';

const ROOT = path.resolve(__dirname, '..');
const README = path.join(ROOT, 'README.md');
const START = '<!-- rules:start -->';
const END = '<!-- rules:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The dialect a fixture file exercises, judged from its name and content. */
function dialectOf(file: string, text: string): string | undefined {
  if (file.endsWith('.sql')) return 'SQL';
  if (file.endsWith('.prisma')) return 'Prisma';
  if (/\.(ts|tsx|js|mjs|cjs)$/.test(file)) return 'TS/JS';
  if (!file.endsWith('.py')) return undefined;
  if (/from django|migrations\.Migration|models\.Model/.test(text)) return 'Django';
  if (/^revision\s*[:=]/m.test(text) && /def upgrade/.test(text)) return 'Alembic';
  if (/sqlalchemy|db\.Model|session|cursor|asyncpg/.test(text)) return 'SQLAlchemy';
  return 'Python';
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export function rulesTable(): string {
  const order = ['SQLAlchemy', 'Alembic', 'Django', 'SQL', 'Prisma', 'TS/JS', 'Python'];
  const lines = ['| Rule | Category | Severity | Tested on | Summary |', '|---|---|---|---|---|'];
  for (const r of RULES) {
    const dialects = new Set<string>();
    for (const f of walk(path.join(ROOT, 'test', 'fixtures', 'rules', r.id))) {
      const d = dialectOf(f, fs.readFileSync(f, 'utf8'));
      if (d) dialects.add(d);
    }
    const tested = order.filter((d) => dialects.has(d)).join(', ');
    lines.push(`| \`${r.id}\` | ${CATEGORY_LABELS[r.category]} | ${r.severity} | ${tested} | ${cell(r.summary)} |`);
  }
  return lines.join('\n');
}

export function readmeWithRules(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} block`);
  return readme.slice(0, a + START.length) + '\n' + rulesTable() + '\n' + readme.slice(b);
}

if (require.main === module) {
  if (process.argv.includes('--check')) {
    const current = fs.readFileSync(README, 'utf8');
    if (readmeWithRules(current) !== current) {
      console.error('README.md rules table is out of date: run npm run -s docs:rules');
      process.exit(1);
    }
  } else {
    fs.writeFileSync(README, readmeWithRules(fs.readFileSync(README, 'utf8')));
    console.log(`README.md: ${RULES.length} rules`);
  }
}
