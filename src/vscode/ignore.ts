// "Ignore <rule> on this line": the inline-suppression comment, computed as a plain text edit. The engine
// honours `pgready: ignore[rule]` on the finding's line and on the line below (src/engine/suppress.ts), so
// the comment goes on its own line above the finding, indented like it.

export interface InsertEdit {
  /** UTF-16 offset into the file text. */
  offset: number;
  /** Replace this many characters at `offset` (0 for a pure insertion). */
  length: number;
  newText: string;
}

/** The comment marker a file's language uses. */
export function commentPrefix(file: string): '#' | '--' | '//' {
  const lower = file.toLowerCase();
  if (lower.endsWith('.sql')) return '--';
  if (/\.(py|pyi|toml|ya?ml|cfg|ini|env)$/.test(lower) || /(^|\/)(dockerfile|\.env[^/]*)$/.test(lower)) return '#';
  return '//';
}

/**
 * True when `offset` sits inside a Python triple-quoted string (SQL in `op.execute("""…""")`): a `#` line
 * there would become part of the SQL, so the SQL comment `--` is used instead. A quote-counting heuristic:
 * enough for migrations and queries, which do not nest quotes of the same kind.
 */
export function insidePythonTripleQuote(text: string, offset: number): boolean {
  const re = /"""|'''/g;
  let open: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m.index < offset) {
    if (!open) open = m[0];
    else if (m[0] === open) open = undefined;
  }
  return !!open;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

const EXISTING = /^(\s*)(#|--|\/\/)\s*pgready:\s*ignore\[([^\]]*)\]\s*$/;

/**
 * The edit that suppresses `rule` on zero-based `line` of `text`. When the line above already is a
 * `pgready: ignore[...]` comment, the rule is added to it instead of stacking a second comment.
 */
export function ignoreEdit(file: string, text: string, line: number, rule: string): InsertEdit {
  const starts = lineStarts(text);
  const l = Math.max(0, Math.min(line, starts.length - 1));
  const start = starts[l];
  const end = l + 1 < starts.length ? starts[l + 1] - 1 : text.length;
  const lineText = text.slice(start, end).replace(/\r$/, '');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  if (l > 0) {
    const prevStart = starts[l - 1];
    const prevText = text.slice(prevStart, start - 1).replace(/\r$/, '');
    const m = EXISTING.exec(prevText);
    if (m) {
      const ids = m[3].split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.includes(rule)) return { offset: start, length: 0, newText: '' };
      const updated = `${m[1]}${m[2]} pgready: ignore[${[...ids, rule].join(', ')}]`;
      return { offset: prevStart, length: prevText.length, newText: updated };
    }
  }

  const indent = /^[ \t]*/.exec(lineText)![0];
  let prefix: string = commentPrefix(file);
  if (prefix === '#' && file.toLowerCase().endsWith('.py') && insidePythonTripleQuote(text, start)) prefix = '--';
  return { offset: start, length: 0, newText: `${indent}${prefix} pgready: ignore[${rule}]${eol}` };
}

/** Applies an edit to a string (for tests and previews). */
export function applyEdit(text: string, e: InsertEdit): string {
  return text.slice(0, e.offset) + e.newText + text.slice(e.offset + e.length);
}
