import type { MigrationStatement } from '../../facts/migrations';
import type { Fix } from '../../types';

// Text edits for Alembic op calls, used by the migration rules' quick fixes. They work on the call's span
// in the file text (what the editor shows), never on a re-rendered call, so the user's formatting stays.

/**
 * Adds `postgresql_concurrently=True` to an `op.create_index` / `op.drop_index` call and, when the call runs
 * inside the migration's transaction, wraps it in `with op.get_context().autocommit_block():` (CONCURRENTLY
 * cannot run in a transaction block). Undefined when the call's shape makes a safe edit uncertain.
 */
export function alembicConcurrentlyFix(text: string, st: MigrationStatement, title: string): Fix | undefined {
  if (!st.op?.startsWith('op.') || st.kwargs?.postgresql_concurrently !== undefined) return undefined;
  const { start, end, file } = st.span;
  const call = text.slice(start, end);
  if (!call.endsWith(')')) return undefined;
  const inner = call.slice(0, -1);
  const trimmed = inner.trimEnd();
  const tail = inner.slice(trimmed.length);
  let withKw: string;
  if (!call.includes('\n')) withKw = `${trimmed}${trimmed.endsWith('(') ? '' : trimmed.endsWith(',') ? ' ' : ', '}postgresql_concurrently=True${tail})`;
  else {
    const lastLineStart = trimmed.lastIndexOf('\n') + 1;
    const argIndent = trimmed.slice(lastLineStart).match(/^\s*/)?.[0] ?? '';
    withKw = trimmed.endsWith(',')
      ? `${trimmed}\n${argIndent}postgresql_concurrently=True,${tail})`
      : `${trimmed}, postgresql_concurrently=True${tail})`;
  }
  if (!st.inTransaction) return { title, edits: [{ file, start, end, newText: withKw }] };

  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const indent = text.slice(lineStart, start);
  if (!/^[ \t]*$/.test(indent)) return undefined; // `x = op.create_index(...)`: leave it to the user
  const step = indent.includes('\t') ? '\t' : '    ';
  const body = withKw
    .split('\n')
    .map((l, i) => (i === 0 ? `${indent}${step}${l}` : l.length ? `${step}${l}` : l))
    .join('\n');
  return { title, edits: [{ file, start: lineStart, end, newText: `${indent}with op.get_context().autocommit_block():\n${body}` }] };
}

/** Inserts CONCURRENTLY after `INDEX` in a SQL statement written in a .sql file. */
export function sqlConcurrentlyFix(text: string, st: MigrationStatement, title: string): Fix | undefined {
  if (st.op) return undefined;
  const stmt = text.slice(st.span.start, st.span.end);
  const m = /\bINDEX\s+/i.exec(stmt);
  if (!m) return undefined;
  const at = st.span.start + m.index + m[0].length;
  return { title, edits: [{ file: st.span.file, start: at, end: at, newText: /^index/.test(m[0]) ? 'concurrently ' : 'CONCURRENTLY ' }] };
}
