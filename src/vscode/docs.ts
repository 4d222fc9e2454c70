// Rule documentation as a read-only virtual document (`pgready-docs:/<rule>.md`), linked from every
// diagnostic's code. The provider is structural (no run-time `vscode` import), so the text is unit-testable.
import type * as vscode from 'vscode';
import { CATEGORY_LABELS, ruleById, type Rule } from '../engine';
import { ruleFromDocsPath } from './diagnostics';

function fence(lang: string, text: string): string {
  return ['```' + lang, text.replace(/\n$/, ''), '```'].join('\n');
}

function langOf(path: string): string {
  return path.endsWith('.sql') ? 'sql' : path.endsWith('.py') ? 'python' : path.endsWith('.ts') ? 'typescript' : '';
}

export function ruleDocsMarkdown(rule: Rule): string {
  const out = [
    `# ${rule.id}`,
    '',
    `${rule.summary}`,
    '',
    `Category: ${CATEGORY_LABELS[rule.category]} · default severity: ${rule.severity}`,
    '',
    '## What it does',
    '',
    rule.docs.what,
    '',
    '## Why is this bad?',
    '',
    rule.docs.why,
    '',
    '## Instead',
    '',
    rule.docs.instead,
    '',
  ];
  const example = (title: string, files: Record<string, string>) => {
    const entries = Object.entries(files);
    if (!entries.length) return;
    out.push(`## ${title}`, '');
    for (const [path, text] of entries) out.push(`\`${path}\``, '', fence(langOf(path), text), '');
  };
  example('Example (fires)', rule.examples.bad);
  example('Example (silent)', rule.examples.good);
  out.push(`Silence one occurrence with the inline comment \`pgready: ignore[${rule.id}]\` on the line or the line above, or turn the rule off with \`"pgready.rules": { "${rule.id}": "off" }\`.`, '');
  return out.join('\n');
}

/** Live findings are not rules: they come from "pgready: Run Live Checks" (or `pgready report --db`). */
export function liveDocsMarkdown(id: string): string {
  return [
    `# ${id}`,
    '',
    'A finding of pgready\'s live checks: it was read from the connected database (its catalog, settings and statistics), not from the code. The message says what the database showed and the help line what to do.',
    '',
    'It stays until the database changes and the checks run again ("pgready: Run Live Checks"), or until pgready disconnects. Inline `pgready: ignore[…]` comments do not apply to it.',
    '',
  ].join('\n');
}

export class RuleDocsProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = ruleFromDocsPath(uri.path);
    const rule = ruleById(id);
    if (rule) return ruleDocsMarkdown(rule);
    if (id.startsWith('live-')) return liveDocsMarkdown(id);
    return `# ${id}\n\npgready has no rule with this id.\n`;
  }
}
