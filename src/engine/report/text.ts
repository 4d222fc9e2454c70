import { CATEGORIES, CATEGORY_LABELS, type Finding, type Severity } from '../types';
import { liveSummaryLines } from '../live';
import { location, plural, problems, type ReportInput } from './common';

export interface TextOptions {
  /** ANSI colours; the CLI turns them on for a TTY unless NO_COLOR is set. */
  color?: boolean;
}

const CODES = { red: 31, yellow: 33, cyan: 36, green: 32, dim: 2, bold: 1 } as const;
type Style = keyof typeof CODES;

const SEVERITY_STYLE: Record<Severity, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

/** The terminal report: findings grouped by file, then the score table and a one-line summary. */
export function renderText(input: ReportInput, opts: TextOptions = {}): string {
  const paint = (style: Style, s: string) => (opts.color ? `\u001b[${CODES[style]}m${s}\u001b[0m` : s);
  const { findings, readiness, stats } = input.result;
  const out: string[] = [];

  const issues = problems(findings);
  const byFile = new Map<string, Finding[]>();
  for (const f of issues) {
    const key = f.span?.file ?? '(repository)';
    byFile.set(key, [...(byFile.get(key) ?? []), f]);
  }
  for (const [file, list] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(paint('bold', file));
    for (const f of list) {
      const where = f.span ? `${f.span.line}:${f.span.column}` : '-';
      out.push(`  ${paint('dim', where.padEnd(8))} ${paint(SEVERITY_STYLE[f.severity], f.severity.padEnd(7))} ${f.message} ${paint('dim', f.rule)}`);
      out.push(`  ${' '.repeat(8)} ${' '.repeat(7)} ${paint('dim', '→ ' + firstLine(f.help))}`);
    }
    out.push('');
  }

  const strengths = findings.filter((f) => f.strength);
  if (strengths.length) {
    out.push(paint('bold', 'Strengths'));
    for (const f of strengths) out.push(`  ${paint('green', '✓')} ${f.message} ${paint('dim', location(f, false))}`);
    out.push('');
  }

  if (input.live) out.push(paint('bold', 'Database'), ...liveSummaryLines(input.live).map((l) => `  ${l}`), '');
  out.push(paint('bold', `pgready ${input.version} — ${input.root}`));
  const labelWidth = Math.max(...CATEGORIES.map((c) => CATEGORY_LABELS[c].length));
  for (const c of CATEGORIES) {
    const s = readiness.categories[c];
    const score = s.score === null ? 'unknown' : `${s.score}/100`;
    const style: Style = s.score === null ? 'dim' : s.score >= s.target ? 'green' : s.score >= 60 ? 'yellow' : 'red';
    const note = s.note ? paint('dim', `  ${s.note}`) : '';
    out.push(`  ${CATEGORY_LABELS[c].padEnd(labelWidth)}  ${paint(style, score.padStart(7))}${note}`);
  }
  const overall = readiness.overall === null ? 'unknown' : `${readiness.overall}/100`;
  out.push(`  ${'Overall'.padEnd(labelWidth)}  ${paint('bold', overall.padStart(7))}`);
  out.push('');

  const count = (s: Severity) => issues.filter((f) => f.severity === s).length;
  out.push(
    `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'note')}, ` +
      `${plural(strengths.length, 'strength')} in ${plural(stats.analysedFiles, 'file')}.`,
  );
  return out.join('\n') + '\n';
}

function firstLine(s: string): string {
  const line = s.split('\n')[0];
  return s.includes('\n') ? line + ' …' : line;
}
