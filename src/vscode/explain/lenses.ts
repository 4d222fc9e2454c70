// Where the "EXPLAIN" CodeLenses go: one above each SQL statement the engine recognised in a file (SQL
// strings in Python and TS, statements in .sql files). Pure, so the ranges are tested without an editor.
import type { SqlSite } from '../../engine';
import { rangeOf, type Range0 } from '../diagnostics';

export interface LensSite {
  /** The statement's range (0-based), where the lens sits and what "reveal" selects. */
  range: Range0;
  sql: string;
  origin: string;
}

/** The sites in file `rel`, in document order, one per start position. */
export function lensSites(sites: readonly SqlSite[], rel: string): LensSite[] {
  const seen = new Set<number>();
  return sites
    .filter((s) => s.span.file === rel && s.sql.trim() !== '')
    .sort((a, b) => a.span.start - b.span.start)
    .filter((s) => !seen.has(s.span.start) && !!seen.add(s.span.start))
    .map((s) => ({ range: rangeOf(s.span), sql: s.sql, origin: s.origin }));
}

/** The site whose range holds the 0-based position, if any (EXPLAIN at the cursor). */
export function siteAt(sites: readonly LensSite[], line: number, character: number): LensSite | undefined {
  const after = (l: number, c: number) => line > l || (line === l && character >= c);
  const before = (l: number, c: number) => line < l || (line === l && character <= c);
  return sites.find((s) => after(s.range.startLine, s.range.startCharacter) && before(s.range.endLine, s.range.endCharacter));
}

/** One line of SQL for titles: whitespace collapsed, cut at `max` characters. */
export function sqlTitle(sql: string, max = 60): string {
  const one = sql.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
