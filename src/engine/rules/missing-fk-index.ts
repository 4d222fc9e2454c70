import type { ColumnRef, ProjectFacts, QuerySite } from '../facts';
import { findColumn, hasLeadingIndex, type ForeignKey, type Schema, type Table } from '../facts/schema';
import { dialectOf, djangoHelp } from '../facts/dialect-help';
import { defineRule, type RuleContext } from '../rule';
import { LineIndex, utf8ToUtf16Offset } from '../text';
import { modelIndexHelp } from '../sources/typescript/help';
import type { Span } from '../types';

/** A column a query names, resolved to a project table (by table name, or through the model that maps it). */
export function resolveColumnRef(facts: ProjectFacts, ref: ColumnRef): { table: Table; column: string } | undefined {
  const name = ref.table ?? (ref.model ? facts.modelTables.get(ref.model) : undefined);
  const table = name ? (facts.schema.tables.get(name) ?? facts.schema.tables.get(name.toLowerCase())) : undefined;
  const col = table ? findColumn(table, ref.column) : undefined;
  return table && col ? { table, column: col.name } : undefined;
}

/**
 * True when `column` leads a foreign key of `table` that no index leads: this rule reports that key, and
 * its fix (an index on the key columns) also serves a query filtering on the column. missing-filter-index
 * leaves such columns to this rule, so one missing index is one finding.
 */
export function fkIndexGap(table: Table, column: string): boolean {
  return table.foreignKeys.some((fk) => fk.columns[0] === column && !hasLeadingIndex(table, fk.columns));
}

const FILTERS = new Set(['eq', 'in', 'range']);

/** The query predicates an index on `cols` of `table` would serve: they scan the table until it exists. */
function queriesFiltering(facts: ProjectFacts, table: Table, cols: string[]): { span: Span; q: QuerySite }[] {
  const out: { span: Span; q: QuerySite }[] = [];
  for (const q of facts.queries) {
    for (const p of q.predicates) {
      if (!FILTERS.has(p.op) || p.expression) continue;
      const r = resolveColumnRef(facts, p);
      if (r?.table === table && r.column === cols[0]) {
        out.push({ span: p.span, q });
        break;
      }
    }
  }
  return out;
}

const sameCols = (a: string[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

function fkIn(schema: Schema, table: string, cols: string[]): ForeignKey | undefined {
  return schema.tables.get(table)?.foreignKeys.find((f) => sameCols(f.columns, cols));
}

type MigrationStatement = ProjectFacts['migrations'][number]['upgrade'][number];
const createIndex = new WeakMap<ProjectFacts['migrations'], Map<string, MigrationStatement>>();

/** The first CREATE statement of the migrations at each (file, start): built once per analysis, not per key. */
function createStatements(facts: ProjectFacts): Map<string, MigrationStatement> {
  let byStart = createIndex.get(facts.migrations);
  if (!byStart) {
    byStart = new Map();
    for (const m of facts.migrations) {
      for (const st of m.upgrade) {
        const k = `${st.span.file}\u0000${st.span.start}`;
        if (st.ast?.CreateStmt && !byStart.has(k)) byStart.set(k, st);
      }
    }
    createIndex.set(facts.migrations, byStart);
  }
  return byStart;
}

/**
 * The replay gives a migration FK the span of its whole statement (`op.create_table(...)`, `CREATE TABLE …`).
 * Narrow it to the line that declares the key: the FOREIGN KEY constraint or the column with REFERENCES,
 * through the op's source map (Alembic) or the parse location in the file (SQL).
 */
function narrowMigrationSpan(ctx: RuleContext, facts: ProjectFacts, fk: ForeignKey, lines: Map<string, LineIndex>): Span | undefined {
  const span = fk.span;
  if (!span) return undefined;
  const st = createStatements(facts).get(`${span.file}\u0000${span.start}`);
  if (!st) return span;
  let loc: number | undefined;
  for (const elt of st.ast!.CreateStmt.tableElts ?? []) {
    const c = elt.Constraint;
    const attrs = (c?.fk_attrs ?? []).map((a: any) => String(a?.String?.sval ?? ''));
    if (c?.contype === 'CONSTR_FOREIGN' && sameCols(attrs, fk.columns)) loc = c.location;
    const d = elt.ColumnDef;
    if (d && fk.columns.length === 1 && d.colname === fk.columns[0] && (d.constraints ?? []).some((x: any) => x?.Constraint?.contype === 'CONSTR_FOREIGN')) loc = d.location;
    if (loc !== undefined) break;
  }
  if (loc === undefined) return span;
  if (st.sourceMap) {
    const off = utf8ToUtf16Offset(st.sql, loc);
    return st.sourceMap.find((p) => off >= p.start && off < p.end)?.span ?? span;
  }
  if (st.op) return span;
  const text = ctx.text(span.file);
  if (!text) return span;
  const off = utf8ToUtf16Offset(text, loc);
  if (off < span.start || off >= span.end) return span;
  let li = lines.get(span.file);
  if (!li) lines.set(span.file, (li = new LineIndex(text)));
  const eol = text.indexOf('\n', off);
  return li.span(span.file, off, Math.min(eol < 0 ? text.length : eol, span.end));
}

/** The message's note on queries that filter on the key (missing-filter-index leaves them to this finding). */
function usedBy(spans: Span[], table: string): string {
  if (!spans.length) return '';
  const at = (s: Span) => `${s.file}:${s.line}`;
  return spans.length === 1
    ? ` The query at ${at(spans[0])} filters on it too, so it scans "${table}" on every call.`
    : ` ${spans.length} queries filter on it too (${spans.slice(0, 3).map(at).join(', ')}${spans.length > 3 ? ', …' : ''}), so each scans "${table}" on every call.`;
}

export default defineRule({
  id: 'missing-fk-index',
  category: 'performance',
  severity: 'warning',
  summary: 'A foreign key whose columns lead no index: deletes on the parent scan the child table, and joins cannot use an index.',
  docs: {
    what: 'Finds foreign keys (from models or migrations) whose columns are not the leading columns of any index or primary key on the referencing table. A composite index or primary key that starts with the FK columns counts. Queries that filter on the key\'s leading column are listed with the finding (missing-filter-index does not report them again).',
    why: 'PostgreSQL indexes the referenced (parent) key, never the referencing (child) columns. Without an index, every DELETE or key UPDATE on the parent scans the whole child table to check or cascade the reference, holding locks while it does, and every join or relationship load from parent to child (`company.jobs`) is a sequential scan.',
    instead: 'Index the FK columns: `index=True` on the model column plus a migration with `op.create_index("ix_<table>_<col>", "<table>", ["<col>"], postgresql_concurrently=True)` inside `op.get_context().autocommit_block()`, or `CREATE INDEX CONCURRENTLY` in SQL. In Django (which indexes ForeignKey columns unless `db_index=False`), remove `db_index=False` and build the index with `AddIndexConcurrently` in a migration with `atomic = False`.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Company(Base):\n    __tablename__ = "companies"\n    id: Mapped[int] = mapped_column(primary_key=True)\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass Company(Base):\n    __tablename__ = "companies"\n    id: Mapped[int] = mapped_column(primary_key=True)\n\n\nclass Job(Base):\n    __tablename__ = "jobs"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)\n',
    },
  },
  check(ctx) {
    const dialect = dialectOf(ctx.facts);
    const alembic = dialect === 'alembic';
    const anyMigrations = ctx.facts.migrations.length > 0;
    const lines = new Map<string, LineIndex>();
    for (const table of ctx.facts.schema.tables.values()) {
      for (const fk of table.foreignKeys) {
        if (!fk.columns.length || hasLeadingIndex(table, fk.columns)) continue;
        const cols = fk.columns;
        const column = cols.length === 1 ? findColumn(table, cols[0]) : undefined;
        // One finding per key: on the model when one declares it (where developers look and where the index
        // goes), otherwise where a migration creates it. The other place goes into `related`.
        const modelFk = fkIn(ctx.facts.modelSchema, table.name, cols);
        const migrationFk = fkIn(ctx.facts.migrationSchema, table.name, cols);
        const migrationSpan = migrationFk ? narrowMigrationSpan(ctx, ctx.facts, migrationFk, lines) : undefined;
        const span = modelFk?.span ?? migrationSpan ?? fk.span ?? column?.span ?? table.span;
        if (!span) continue;
        const related: { span: Span; message: string }[] = [];
        if (migrationSpan && migrationSpan !== span) {
          const migration = ctx.facts.migrations.find((m) => m.file === migrationSpan.file);
          related.push({ span: migrationSpan, message: `created in migration ${migration?.id ?? migrationSpan.file} at line ${migrationSpan.line}` });
        }
        // The key only in a migration, on a column a model maps: point at the model column the index goes on.
        const modelTable = ctx.facts.modelSchema.tables.get(table.name);
        const modelColumn = !modelFk && modelTable?.model && cols.length === 1 ? findColumn(modelTable, cols[0]) : undefined;
        if (modelColumn?.span && modelColumn.span.file !== span.file) related.push({ span: modelColumn.span, message: `declared on model ${modelTable!.model}` });
        const users = queriesFiltering(ctx.facts, table, cols);
        for (const u of users) related.push({ span: u.span, message: `this query filters on "${table.name}"."${cols[0]}": it scans "${table.name}" until the index exists` });
        const ixName = `ix_${table.name}_${cols.join('_')}`;
        const colText = cols.length === 1 ? `"${table.name}"."${cols[0]}"` : `"${table.name}" (${cols.join(', ')})`;
        const attr = column?.attribute ?? cols[0];
        const onModel = table.model && cols.length === 1 ? `Add index=True to ${table.model}.${attr}` : '';
        const alembicOp = `with op.get_context().autocommit_block(): op.create_index("${ixName}", "${table.name}", [${cols.map((c) => `"${c}"`).join(', ')}], postgresql_concurrently=True)`;
        const sql = `CREATE INDEX CONCURRENTLY ${ixName} ON ${table.name} (${cols.join(', ')});`;
        let help: string;
        const jsHelp = alembic ? undefined : modelIndexHelp(table, cols);
        if (dialect === 'django') help = djangoHelp.fkIndex(cols.length === 1 ? table.model : undefined, attr);
        else if (jsHelp) help = jsHelp;
        else if (alembic) help = onModel ? `${onModel} and create it in a new migration: ${alembicOp}` : `Create the index in a new migration: ${alembicOp}`;
        else if (onModel) help = anyMigrations ? `${onModel} and run ${sql}` : `${onModel} (in production, build it with ${sql}).`;
        else help = `Run ${sql}`;
        ctx.report({
          message: `Foreign key ${colText} → "${fk.refTable}" has no index: deleting or updating a row of "${fk.refTable}" scans all of "${table.name}", and joins from "${fk.refTable}" to "${table.name}" cannot use an index.${usedBy(users.map((u) => u.span), table.name)}`,
          help,
          span,
          related: related.length ? related : undefined,
          key: `${table.name}(${cols.join(',')})${span.file}`,
          data: { table: table.name, columns: cols, refTable: fk.refTable, suggestedSql: sql },
        });
      }
    }
  },
});
