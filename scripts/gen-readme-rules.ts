// `npm run docs:rules`: prints the README rules table from the registry, so README never drifts from it.
import { CATEGORY_LABELS, RULES } from '../src/engine';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

const lines = ['| Rule | Category | Severity | Summary |', '|---|---|---|---|'];
for (const r of RULES) lines.push(`| \`${r.id}\` | ${CATEGORY_LABELS[r.category]} | ${r.severity} | ${cell(r.summary)} |`);
process.stdout.write(lines.join('\n') + '\n');
