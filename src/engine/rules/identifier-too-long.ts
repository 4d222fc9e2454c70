import { dialectOf, sqlOffset, sqlTokens } from '../facts/migration-helpers';
import type { MigrationStatement } from '../facts/migrations';
import { defineRule } from '../rule';
import { LineIndex } from '../text';
import type { Span } from '../types';

/** Statements that name new objects. */
const DDL = new Set(['CreateStmt', 'IndexStmt', 'AlterTableStmt', 'RenameStmt', 'CreateTableAsStmt', 'ViewStmt', 'CreateSeqStmt', 'CreateEnumStmt', 'CreateFunctionStmt', 'CreateTrigStmt', 'CreateSchemaStmt', 'CompositeTypeStmt', 'CreateDomainStmt']);

function nodeSpanAt(st: MigrationStatement, text: string, start: number, end: number): Span {
  if (start < st.span.start || end > st.span.end) return st.span;
  return new LineIndex(text).span(st.span.file, start, end);
}

const MAX = 63;

export default defineRule({
  id: 'identifier-too-long',
  category: 'schema',
  severity: 'warning',
  summary: 'PostgreSQL silently truncates names longer than 63 bytes: the object gets a different name than the code uses.',
  docs: {
    what: 'Finds migrations that create or rename a table, column, index or constraint with a name longer than 63 bytes (NAMEDATALEN - 1).',
    why: 'PostgreSQL truncates longer identifiers with only a NOTICE: the index "ix_…_long" exists under a shorter name, so a later DROP INDEX or ALTER … RENAME with the full name fails in the middle of a deploy, two long names that share their first 63 bytes collide, and ORM autogenerate keeps seeing a difference.',
    instead: 'Choose names of at most 63 bytes (set an explicit `name=` on Alembic constraints and indexes, or a shorter naming convention).',
  },
  examples: {
    bad: { 'migrations/001_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX ix_t_a_this_name_is_far_too_long_for_postgresql_to_keep_it_whole_abc ON t (a);\n' },
    good: { 'migrations/001_t.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX ix_t_a ON t (a);\n' },
  },
  check(ctx) {
    // The parser itself truncates long identifiers (as the server does), so the AST never shows them: the
    // statement's tokens do.
    for (const m of ctx.facts.migrations) {
      for (const st of m.upgrade) {
        if (!st.ast || !DDL.has(Object.keys(st.ast)[0])) continue;
        if (!/[\w"]{64}/.test(st.sql)) continue;
        const seen = new Set<string>();
        for (const t of sqlTokens(st.sql)) {
          const quoted = /^"(?:[^"]|"")+"$/.test(t.text);
          if (!quoted && !/^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*$/.test(t.text)) continue;
          const name = quoted ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase();
          const bytes = Buffer.byteLength(name);
          if (bytes <= MAX || seen.has(name)) continue;
          seen.add(name);
          const kept = Buffer.from(name).subarray(0, MAX).toString();
          const text = ctx.text(st.span.file);
          const base = text ? sqlOffset(text, st) : undefined;
          const span = base === undefined ? st.span : nodeSpanAt(st, text!, base + t.start, base + t.end);
          ctx.report({
            message: `The name "${name}" is ${bytes} bytes: PostgreSQL silently truncates it to "${kept}", so later statements or tools that use the full name miss the object, and names sharing those first ${MAX} bytes collide.`,
            help: `Use a name of at most ${MAX} bytes${st.op && dialectOf(m, st) === 'alembic' ? ' (pass a shorter name to the op)' : ''}.`,
            span,
            data: { name, bytes, migration: m.id },
          });
        }
      }
    }
  },
});
