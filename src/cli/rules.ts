import { CATEGORY_LABELS, RULES, ruleById, type Rule } from '../engine';
import { UsageError } from './args';

/** `pgready rules`: one line per rule. */
export function runRules(): number {
  const rows = RULES.map((r) => [r.id, CATEGORY_LABELS[r.category], r.severity, r.summary]);
  const header = ['RULE', 'CATEGORY', 'SEVERITY', 'SUMMARY'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write([line(header), ...rows.map(line)].join('\n') + '\n');
  return 0;
}

/** `pgready rule <id>`: the rule's documentation with Ruff's fixed headings. */
export function runRule(argv: string[]): number {
  if (argv.length !== 1) throw new UsageError('usage: pgready rule <id> (see pgready rules)');
  const rule = ruleById(argv[0]);
  if (!rule) throw new UsageError(`unknown rule: ${argv[0]} (see pgready rules)`);
  process.stdout.write(ruleDoc(rule));
  return 0;
}

export function ruleDoc(rule: Rule): string {
  const out = [`${rule.id} (${CATEGORY_LABELS[rule.category]}, ${rule.severity})`, '', rule.summary, ''];
  out.push('What it does', indent(rule.docs.what), '', 'Why is this bad?', indent(rule.docs.why), '', 'Instead', indent(rule.docs.instead), '');
  for (const [title, files] of [['Example (bad)', rule.examples.bad], ['Example (good)', rule.examples.good]] as const) {
    out.push(title);
    for (const [file, text] of Object.entries(files)) out.push(`  # ${file}`, indent(text.trimEnd()), '');
  }
  return out.join('\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => (l ? '    ' + l : l))
    .join('\n');
}
