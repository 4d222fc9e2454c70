// Pure mapping from engine findings to editor diagnostics. No `vscode` import at run time, so the mapping is
// unit-tested without an editor; workspace.ts turns this data into vscode.Diagnostic objects.
import type { Finding, Severity, Span } from '../engine';

export const DIAGNOSTIC_SOURCE = 'pgready';
export const DOCS_SCHEME = 'pgready-docs';

/** A zero-based range, the way VS Code counts (columns in UTF-16 code units, end exclusive). */
export interface Range0 {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

export interface DiagnosticData {
  /** Project-relative path of the file the diagnostic belongs to. */
  file: string;
  range: Range0;
  severity: Severity;
  message: string;
  source: string;
  /** The rule id, linked to its docs (a `pgready-docs:` URI the docs provider serves). */
  code: { value: string; target: string };
  fingerprint: string;
  /** Whether the engine offers a fix for this finding. */
  fixable: boolean;
  related: { file: string; range: Range0; message: string }[];
}

/** The read-only virtual document that shows a rule's documentation. */
export function docsUri(rule: string): string {
  return `${DOCS_SCHEME}:/${encodeURIComponent(rule)}.md`;
}

/** The rule id a docs URI path names (`/n-plus-one.md` → `n-plus-one`). */
export function ruleFromDocsPath(path: string): string {
  return decodeURIComponent(path.replace(/^\//, '').replace(/\.md$/, ''));
}

export function rangeOf(span: Span): Range0 {
  return { startLine: span.line - 1, startCharacter: span.column - 1, endLine: span.endLine - 1, endCharacter: span.endColumn - 1 };
}

/**
 * The diagnostic for one finding, or undefined when it has no place in a file (repository-level findings live
 * in the sidebar and the report) or is a strength (good news is not a problem).
 */
export function toDiagnosticData(f: Finding): DiagnosticData | undefined {
  if (!f.span || f.strength) return undefined;
  const message = f.help ? `${f.message}\n${f.help}` : f.message;
  return {
    file: f.span.file,
    range: rangeOf(f.span),
    severity: f.severity,
    message,
    source: DIAGNOSTIC_SOURCE,
    code: { value: f.rule, target: docsUri(f.rule) },
    fingerprint: f.fingerprint,
    fixable: !!f.fix,
    related: (f.related ?? []).map((r) => ({ file: r.span.file, range: rangeOf(r.span), message: r.message })),
  };
}

/** All diagnostics of an analysis grouped by file (files in first-seen order). */
export function diagnosticsByFile(findings: readonly Finding[]): Map<string, DiagnosticData[]> {
  const out = new Map<string, DiagnosticData[]>();
  for (const f of findings) {
    const d = toDiagnosticData(f);
    if (!d) continue;
    const list = out.get(d.file);
    if (list) list.push(d);
    else out.set(d.file, [d]);
  }
  return out;
}

/** A cheap identity of a file's diagnostics, so unchanged files are not re-published after every keystroke. */
export function diagnosticsKey(list: readonly DiagnosticData[]): string {
  return list.map((d) => `${d.fingerprint}@${d.range.startLine}:${d.range.startCharacter}-${d.range.endLine}:${d.range.endCharacter}/${d.severity}`).join('|');
}

/** Finds the finding behind a diagnostic the editor hands back (code actions get copies, not our objects). */
export function findingFor(
  findings: readonly Finding[],
  file: string,
  diag: { code: string; range: Range0; message: string },
): Finding | undefined {
  return findings.find((f) => {
    const d = f.span && f.span.file === file && f.rule === diag.code ? toDiagnosticData(f) : undefined;
    return !!d && d.range.startLine === diag.range.startLine && d.range.startCharacter === diag.range.startCharacter && d.message === diag.message;
  });
}
