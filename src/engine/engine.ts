import type { FileFacts, ProjectFacts } from './facts';
import { mergeFacts } from './facts/merge';
import { matchesAny } from './glob';
import { PROFILING, profileReport, timed } from './profile';
import type { Report, Rule } from './rule';
import { RULES } from './rules';
import { computeReadiness, type Readiness } from './score';
import { defaultSettings, DEFAULT_IGNORES, type Settings } from './settings';
import { initPython } from './sources/python/parser';
import { initSql } from './sources/sql/parser';
import { extractFile } from './sources';
import { isSuppressed, parseSuppressions, type Suppressions } from './suppress';
import { fnv1a64, LineIndex, normalizeCode } from './text';
import type { Finding, ParseProblem } from './types';

export interface SourceFile {
  /** Project-relative, `/`-separated. */
  path: string;
  text: string;
}

export interface AnalysisResult {
  findings: Finding[];
  readiness: Readiness;
  facts: ProjectFacts;
  /** Files that were skipped or failed to parse (also present as `parse-error` findings). */
  problems: ProjectFacts['problems'];
  stats: { files: number; analysedFiles: number; ms: number };
}

export interface InitOptions {
  /** Maps a wasm file name to its path (bundles ship them next to the script). Defaults to node_modules. */
  locateWasm?: (name: string) => string;
}

/** Loads the parsers (WASM). Call once before analysing; later calls are free. */
export async function initEngine(opts: InitOptions = {}): Promise<void> {
  await Promise.all([initSql(), initPython(opts.locateWasm)]);
}

interface Entry {
  text: string;
  facts: FileFacts;
  lines: LineIndex;
  suppressions?: Suppressions;
}

/**
 * A warm engine: per-file facts are cached by content, so re-analysing after one edit re-parses one file
 * and re-runs the (cheap) merge and rules. The CLI uses it once; the editor keeps one per workspace.
 */
export class Engine {
  private readonly entries = new Map<string, Entry>();
  private readonly skipped = new Map<string, ParseProblem>();
  private merged?: ProjectFacts;

  constructor(
    private settings: Settings = defaultSettings(),
    private readonly rules: readonly Rule[] = RULES,
  ) {}

  configure(settings: Settings): void {
    const reparse = settings.maxFileBytes !== this.settings.maxFileBytes;
    this.settings = settings;
    this.merged = undefined;
    if (reparse) for (const [path, e] of this.entries) this.entries.set(path, this.extract(path, e.text));
  }

  isIgnored(path: string): boolean {
    return matchesAny(path, DEFAULT_IGNORES) || matchesAny(path, this.settings.ignore);
  }

  /** Adds or replaces a file. Returns false if the path is ignored by settings. */
  setFile(path: string, text: string): boolean {
    if (this.isIgnored(path)) return false;
    const prev = this.entries.get(path);
    if (prev && prev.text === text) return true;
    this.entries.set(path, this.extract(path, text));
    this.skipped.delete(path);
    this.merged = undefined;
    return true;
  }

  /**
   * Records a file the caller could not hand over (binary, not UTF-8, too large to read): it becomes a
   * parse-error note like the engine's own, until the file is set or removed.
   */
  noteSkipped(path: string, message: string): void {
    this.skipped.set(path, { file: path, message });
    this.merged = undefined;
  }

  removeFile(path: string): void {
    const had = this.entries.delete(path) || this.skipped.delete(path);
    if (had) this.merged = undefined;
  }

  hasFile(path: string): boolean {
    return this.entries.has(path);
  }

  get fileCount(): number {
    return this.entries.size;
  }

  text(path: string): string | undefined {
    return this.entries.get(path)?.text;
  }

  lines(path: string): LineIndex | undefined {
    return this.entries.get(path)?.lines;
  }

  facts(): ProjectFacts {
    if (!this.merged) {
      this.merged = timed('merge', () => mergeFacts(new Map([...this.entries].map(([p, e]) => [p, e.facts]))));
      this.merged.problems.push(...this.skipped.values());
    }
    return this.merged;
  }

  analyze(): AnalysisResult {
    const t0 = Date.now();
    const facts = this.facts();
    const findings: Finding[] = [];
    const ruleErrors: ParseProblem[] = [];
    const occurrences = new Map<string, number>();
    for (const rule of this.rules) {
      const level = this.settings.rules[rule.id];
      if (level === 'off') continue;
      const report = (r: Report) => {
        const f = this.toFinding(rule, r, level, occurrences);
        if (f) findings.push(f);
      };
      try {
        timed(`rule ${rule.id}`, () => rule.check({ facts, settings: this.settings, report, text: (p) => this.text(p) }));
      } catch (e) {
        // Kept out of the cached facts, so a rule that keeps failing is reported once per analysis, not
        // once more on every re-analysis of the same facts.
        ruleErrors.push({ file: '.', message: `internal error in rule ${rule.id}: ${(e as Error)?.message ?? e}` });
      }
    }
    findings.sort(compareFindings);
    const readiness = timed('score', () => computeReadiness(findings, facts, this.rules));
    let analysedFiles = 0;
    for (const e of this.entries.values()) if (e.facts.language !== 'skipped') analysedFiles++;
    if (PROFILING) process.stderr.write(`pgready profile (CPU ms, since the last report):\n${profileReport()}\n`);
    return { findings, readiness, facts, problems: [...facts.problems, ...ruleErrors], stats: { files: this.entries.size, analysedFiles, ms: Date.now() - t0 } };
  }

  private extract(path: string, text: string): Entry {
    const { facts, lines } = extractFile(path, text, this.settings);
    return { text, facts, lines };
  }

  private toFinding(rule: Rule, r: Report, level: Settings['rules'][string] | undefined, occurrences: Map<string, number>): Finding | undefined {
    const entry = r.span ? this.entries.get(r.span.file) : undefined;
    if (r.span && entry) {
      entry.suppressions ??= parseSuppressions(entry.text);
      if (isSuppressed(entry.suppressions, r.span.line, rule.id)) return undefined;
    }
    const code = r.key ?? (r.span && entry ? entry.text.slice(r.span.start, Math.min(r.span.end, r.span.start + 400)) : r.message);
    const base = `${rule.id}\u0000${r.span?.file ?? ''}\u0000${normalizeCode(code)}`;
    const n = occurrences.get(base) ?? 0;
    occurrences.set(base, n + 1);
    const severity = r.strength ? 'info' : level && level !== 'off' ? level : (r.severity ?? rule.severity);
    return {
      rule: rule.id,
      severity,
      category: rule.category,
      message: r.message,
      help: r.help,
      span: r.span,
      fingerprint: fnv1a64(`${base}\u0000${n}`),
      fix: r.fix,
      strength: r.strength || undefined,
      related: r.related,
      data: r.data,
    };
  }
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Report order: errors first, then by file and position, then by rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.span?.file ?? '').localeCompare(b.span?.file ?? '') ||
    (a.span?.start ?? 0) - (b.span?.start ?? 0) ||
    a.rule.localeCompare(b.rule)
  );
}

/** One-shot analysis of a set of files. */
export function analyzeFiles(files: SourceFile[], settings: Settings = defaultSettings()): AnalysisResult {
  const engine = new Engine(settings);
  for (const f of files) engine.setFile(f.path, f.text);
  return engine.analyze();
}
