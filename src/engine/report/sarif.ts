import type { Rule } from '../rule';
import { RULES } from '../rules';
import type { Finding, Severity, Span } from '../types';
import { INFORMATION_URI, type ReportInput } from './common';

// SARIF 2.1.0 as GitHub code scanning reads it. Strengths are not results. GitHub rejects a result without
// a location ("expected at least one location"), so a repository-level finding is anchored on one project
// file with no region (a file-level alert); only a project with no files at all leaves it without locations.

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const SRCROOT = '%SRCROOT%';

export function toSarif(input: ReportInput): object {
  const issues = input.result.findings.filter((f) => !f.strength);
  const rules: Rule[] = [...(input.rules ?? RULES)];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const adHoc: { id: string; finding: Finding }[] = [];
  for (const f of issues) {
    if (!index.has(f.rule)) {
      index.set(f.rule, rules.length + adHoc.length);
      adHoc.push({ id: f.rule, finding: f });
    }
  }
  const anchor = [...input.result.facts.files.keys()].sort()[0];

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pgready',
            version: input.version,
            semanticVersion: input.version,
            informationUri: INFORMATION_URI,
            rules: [...rules.map(ruleDescriptor), ...adHoc.map(({ id, finding }) => adHocDescriptor(id, finding))],
          },
        },
        originalUriBaseIds: { [SRCROOT]: { description: { text: `The root of the analysed project (${input.root}).` } } },
        results: issues.map((f) => {
          const locations = f.span
            ? [
                {
                  physicalLocation: {
                    artifactLocation: { uri: toUri(f.span.file), uriBaseId: SRCROOT },
                    region: regionOf(f.span),
                  },
                },
              ]
            : anchor !== undefined
              ? [{ physicalLocation: { artifactLocation: { uri: toUri(anchor), uriBaseId: SRCROOT } }, message: { text: 'repository-level finding' } }]
              : undefined;
          return {
            ruleId: f.rule,
            ruleIndex: index.get(f.rule),
            level: LEVEL[f.severity],
            message: { text: `${f.message}\n${f.help}` },
            ...(locations ? { locations } : {}),
            ...(f.related?.length ? { relatedLocations: f.related.map((r, id) => ({ id, physicalLocation: { artifactLocation: { uri: toUri(r.span.file), uriBaseId: SRCROOT }, region: regionOf(r.span) }, message: { text: r.message } })) } : {}),
            partialFingerprints: { 'pgready/v1': f.fingerprint },
            properties: { category: f.category, repositoryLevel: f.span ? undefined : true },
          };
        }),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

/** A SARIF region; an empty span still covers one column (viewers drop empty regions). */
function regionOf(span: Span) {
  return { startLine: span.line, startColumn: span.column, endLine: span.endLine, endColumn: Math.max(span.endColumn, span.endLine === span.line ? span.column + 1 : 1) };
}

export function renderSarif(input: ReportInput): string {
  return JSON.stringify(toSarif(input), null, 2) + '\n';
}

function ruleDescriptor(r: Rule): object {
  const markdown = [
    `**What it does.** ${r.docs.what}`,
    `**Why is this bad?** ${r.docs.why}`,
    `**Instead.** ${r.docs.instead}`,
    ...example('Bad', r.examples.bad),
    ...example('Good', r.examples.good),
  ].join('\n\n');
  return {
    id: r.id,
    name: pascal(r.id),
    shortDescription: { text: r.summary },
    fullDescription: { text: `${r.docs.what} ${r.docs.why}` },
    help: { text: `${r.docs.what}\n\nWhy: ${r.docs.why}\n\nInstead: ${r.docs.instead}`, markdown },
    helpUri: `${INFORMATION_URI}#${r.id}`,
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: [r.category], category: r.category },
  };
}

function adHocDescriptor(id: string, f: Finding): object {
  return {
    id,
    name: pascal(id),
    shortDescription: { text: id },
    fullDescription: { text: id },
    help: { text: f.help, markdown: f.help },
    defaultConfiguration: { level: LEVEL[f.severity] },
    properties: { tags: [f.category], category: f.category },
  };
}

function example(title: string, files: Record<string, string>): string[] {
  return Object.entries(files).map(([file, text]) => `**${title}** (\`${file}\`):\n\n\`\`\`${fence(file)}\n${text.trimEnd()}\n\`\`\``);
}

function fence(file: string): string {
  if (file.endsWith('.py')) return 'python';
  if (file.endsWith('.sql')) return 'sql';
  if (file.endsWith('.ts') || file.endsWith('.js')) return 'typescript';
  return '';
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** A relative URI reference: each path segment percent-encoded, `/` separators kept. */
function toUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}
