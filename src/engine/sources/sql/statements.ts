import type { PgStmt } from '../../facts/migrations';
import { utf8ToUtf16Offset } from '../../text';
import { parseSync, scanSync } from './parser';

// Parsing SQL as application code writes it: driver placeholders (`:name`, `%s`, `%(name)s`, `?`) are not
// PostgreSQL, so they are rewritten to `$n` first. The rewrite works on the scanner's tokens, so strings,
// comments and `::casts` are never touched, and it keeps the text's length wherever `$n` fits, so parse
// offsets still point into the original text.

export interface ParsedStatement {
  ast: PgStmt;
  /** UTF-16 offsets of the statement in the original text (leading comments excluded). */
  start: number;
  end: number;
  /** The statement's text, as written (placeholders not rewritten). */
  sql: string;
}

export type ParseResult =
  | { ok: true; statements: ParsedStatement[]; placeholders: string[] }
  | { ok: false; error: string; /** UTF-16 offset of the error in the original text. */ position?: number };

/** Rewrites driver placeholders to `$1…$n`, the same name getting the same number. */
export function rewritePlaceholders(sql: string): { sql: string; placeholders: string[] } {
  if (!/[:%?]/.test(sql)) return { sql, placeholders: [] };
  let tokens: { start: number; end: number; text: string; tokenName: string }[];
  try {
    tokens = scanSync(sql).tokens;
  } catch {
    return { sql, placeholders: [] };
  }
  const ascii = !/[^\x00-\x7f]/.test(sql);
  const at = (byte: number) => (ascii ? byte : utf8ToUtf16Offset(sql, byte));
  const names: string[] = [];
  const numberOf = (name: string) => {
    const i = names.indexOf(name);
    if (i >= 0 && name !== '%s' && name !== '?') return i + 1;
    names.push(name);
    return names.length;
  };
  const edits: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const adjacent = (a: { end: number }, b?: { start: number }) => !!b && a.end === b.start;
    let end = -1;
    let name = '';
    if (t.text === ':' && adjacent(t, next) && /^[A-Za-z_]\w*$/.test(next.text) && tokens[i - 1]?.text !== ':') {
      name = ':' + next.text;
      end = next.end;
      i += 1;
    } else if (t.text === '%' && adjacent(t, next) && next.text === 's') {
      name = '%s';
      end = next.end;
      i += 1;
    } else if (t.text === '%' && adjacent(t, next) && next.text === '(' && tokens[i + 3]?.text === ')' && tokens[i + 4]?.text === 's') {
      name = `%(${tokens[i + 2].text})s`;
      end = tokens[i + 4].end;
      i += 4;
    } else if (t.text === '?' && !/^[?|&]/.test(next?.text ?? '')) {
      name = '?';
      end = t.end;
    }
    if (end < 0) continue;
    const start = at(t.start);
    const stop = at(end);
    const marker = `$${numberOf(name)}`;
    edits.push({ start, end: stop, text: marker.length < stop - start ? marker.padEnd(stop - start, ' ') : marker });
  }
  if (!edits.length) return { sql, placeholders: [] };
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += sql.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return { sql: out + sql.slice(pos), placeholders: names };
}

/** Parses one or more statements. Never throws. */
export function parseStatements(text: string): ParseResult {
  const { sql, placeholders } = rewritePlaceholders(text);
  try {
    const result = parseSync(sql) as { stmts?: { stmt: PgStmt; stmt_location?: number; stmt_len?: number }[] };
    const statements: ParsedStatement[] = [];
    for (const s of result.stmts ?? []) {
      const byteStart = s.stmt_location ?? 0;
      // stmt_len 0 means "to the end of the input".
      const byteEnd = s.stmt_len ? byteStart + s.stmt_len : Buffer.byteLength(sql);
      let start = utf8ToUtf16Offset(sql, byteStart);
      const end = utf8ToUtf16Offset(sql, byteEnd);
      while (start < end && /\s/.test(text[start])) start++;
      statements.push({ ast: s.stmt, start, end, sql: text.slice(start, end).trim() });
    }
    return { ok: true, statements, placeholders };
  } catch (e) {
    const err = e as { message?: string; sqlDetails?: { cursorPosition?: number } };
    const pos = err.sqlDetails?.cursorPosition;
    return { ok: false, error: err.message ?? String(e), position: pos === undefined ? undefined : utf8ToUtf16Offset(sql, pos) };
  }
}

/** The statement node's kind ("IndexStmt", "AlterTableStmt", …). */
export function stmtKind(ast: PgStmt): string {
  return Object.keys(ast)[0] ?? '';
}
