// Inline suppressions: `# pgready: ignore[rule-a, rule-b]`, `// pgready: ignore[...]`, `-- pgready: ignore[...]`,
// or a bare `pgready: ignore` for every rule. They apply to their own line and to the line below.

const MARKER = /pgready:\s*ignore(?:\[([^\]]*)\])?/g;

export type Suppressions = Map<number, Set<string> | 'all'>;

export function parseSuppressions(text: string): Suppressions {
  const out: Suppressions = new Map();
  if (!text.includes('pgready:')) return out;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    MARKER.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = MARKER.exec(line))) {
      const ids = m[1] === undefined ? 'all' : new Set(m[1].split(',').map((s) => s.trim()).filter(Boolean));
      for (const target of [i + 1, i + 2]) {
        const prev = out.get(target);
        if (ids === 'all' || prev === 'all') out.set(target, 'all');
        else out.set(target, new Set([...(prev ?? []), ...ids]));
      }
    }
  });
  return out;
}

export function isSuppressed(s: Suppressions, line: number, rule: string): boolean {
  const entry = s.get(line);
  return entry === 'all' || (!!entry && entry.has(rule));
}
