import type { FileFacts } from '../../facts';
import type { Migration, MigrationStatement, MigrationTool, PgStmt } from '../../facts/migrations';
import type { Predicate, QuerySite } from '../../facts/queries';
import { emptySchema } from '../../facts/schema';
import type { LineIndex } from '../../text';
import { utf8ToUtf16Offset } from '../../text';
import type { Frontend } from '../frontend';
import { applyStatement } from './apply';
import { sqlShape } from './predicates';
import { parseStatements, stmtKind, type ParsedStatement } from './statements';

// The front end for .sql files. A file is either a migration (recognised by its tool's naming convention,
// replayed in version order by the project merge) or not: then its DDL describes tables (schema dumps such
// as schema.sql / structure.sql, docker init scripts) and its DML statements are queries a user can EXPLAIN.

export const sqlFrontend: Frontend = {
  language: 'sql',
  accepts: (path) => path.endsWith('.sql'),
  extract({ path, text, lines }, facts) {
    const kind = classifySqlPath(path, text);
    if (kind?.down) return extractDown(path, text, lines, facts);
    const parsed = parseStatements(prepare(text));
    if (!parsed.ok) {
      const at = parsed.position === undefined ? undefined : Math.max(0, Math.min(parsed.position - 1, text.length));
      const span = at === undefined ? undefined : lines.span(path, at, Math.min(at + 1, text.length));
      const message = `SQL syntax error${span ? ` at line ${span.line}` : ''}: ${parsed.error.replace(/^syntax error/, 'syntax error')}; file skipped`;
      facts.problems.push({ file: path, message, line: span?.line, column: span?.column, span });
      if (kind) facts.migrations.push(migrationOf(path, text, lines, kind, []));
      return;
    }
    if (kind) {
      facts.migrations.push(migrationOf(path, text, lines, kind, parsed.statements));
      return;
    }
    extractNonMigration(path, text, lines, parsed.statements, facts);
  },
};

/** What a .sql path says about the file: which migration tool runs it, its id and sort key. */
export interface SqlFileKind {
  tool: MigrationTool;
  id: string;
  order: string;
  /** A reverse migration (golang-migrate `.down.sql`): parsed for errors, not replayed. */
  down?: boolean;
  /** The conventional path of the reverse migration, for golang-migrate ups. */
  downFile?: string;
}

/** Recognises migration files by their tool's naming convention; undefined for other .sql files. */
export function classifySqlPath(path: string, text?: string): SqlFileKind | undefined {
  const parts = path.split('/');
  const base = parts[parts.length - 1];
  const dir = parts.slice(0, -1).join('/');
  const inDir = (re: RegExp) => re.test(`/${dir}/`);

  // Flyway: V<version>__<description>.sql, versions "1", "1.2", "1_2"; R__ repeatables run after all versions.
  let m = /^V(\d+(?:[._]\d+)*)__.+\.sql$/i.exec(base);
  if (m) return { tool: 'flyway', id: `V${m[1].replace(/_/g, '.')}`, order: m[1].replace(/_/g, '.') };
  m = /^R__(.+)\.sql$/i.exec(base);
  if (m) return { tool: 'flyway', id: `R__${m[1]}`, order: `zzzz.${m[1]}` };

  // golang-migrate: <version>_<title>.up.sql / .down.sql.
  m = /^(\d+)_(.+)\.(up|down)\.sql$/i.exec(base);
  if (m) {
    const down = m[3].toLowerCase() === 'down';
    const kind: SqlFileKind = { tool: 'golang-migrate', id: m[1], order: m[1], down };
    if (!down) kind.downFile = [...parts.slice(0, -1), `${m[1]}_${m[2]}.down.sql`].join('/');
    return kind;
  }

  // Prisma: migrations/<timestamp>_<name>/migration.sql.
  if (base === 'migration.sql') {
    const folder = parts[parts.length - 2] ?? '';
    const p = /^(\d{8,})_/.exec(folder);
    if (p && parts[parts.length - 3] === 'migrations') return { tool: 'prisma', id: folder, order: p[1] };
  }

  // Drizzle Kit: drizzle/<nnnn>_<name>.sql.
  m = /^(\d{4})_.+\.sql$/.exec(base);
  if (m && inDir(/\/drizzle(\/migrations)?\/$/)) return { tool: 'drizzle', id: base.replace(/\.sql$/, ''), order: m[1] };

  // Plain ordered folders: dbmate (db/migrations), hand-rolled migrations/ folders, and sqitch deploy/
  // scripts (recognised by the header sqitch writes, since "deploy/" alone is too common a folder name).
  const sqitch = inDir(/\/deploy\//) && text !== undefined && /^-- Deploy \S+/.test(text);
  if ((inDir(/\/(migrations?|migrate)\//) || sqitch) && !inDir(/\/(revert|verify|seeds?|fixtures?)\//)) {
    const stem = base.replace(/\.sql$/i, '');
    return { tool: 'sql', id: stem, order: stem };
  }
  return undefined;
}

/**
 * Blanks what is not SQL but is common in .sql files, keeping every offset: psql meta-commands
 * (`\connect`, `\set`, pg_dump's `\restrict`) and Flyway placeholders (`${schema}` → an identifier).
 */
export function prepare(text: string): string {
  let out = text;
  if (out.includes('\\')) out = out.replace(/^[ \t]*\\[^\n]*/gm, (line) => ' '.repeat(line.length));
  if (out.includes('${')) out = out.replace(/\$\{[^}\n]*\}/g, (p) => 'x'.padEnd(p.length, '_'));
  return out;
}

/** Statements PostgreSQL refuses to run inside a transaction block (Flyway detects them and runs the file without one). */
export function isNonTransactional(ast: PgStmt): boolean {
  const kind = stmtKind(ast);
  const n = ast[kind] ?? {};
  switch (kind) {
    case 'IndexStmt':
      return !!n.concurrent;
    case 'DropStmt':
      return !!n.concurrent;
    case 'ReindexStmt':
      return (n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
    case 'VacuumStmt':
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return true;
    default:
      return false;
  }
}

/**
 * Whether each statement runs in a transaction, by the tool's behaviour:
 * - Flyway wraps each migration in a transaction, unless it contains a statement that cannot run in one;
 * - golang-migrate and Prisma send the file as one multi-statement query, which PostgreSQL runs as one implicit
 *   transaction; a single-statement file runs on its own (which is why CONCURRENTLY must be alone in its file);
 * - Drizzle, dbmate and plain folders: one transaction per file (dbmate's `-- migrate:up transaction:false` opts out);
 * - explicit BEGIN … COMMIT always makes the enclosed statements transactional.
 */
function transactionFlags(kind: SqlFileKind, text: string, statements: ParsedStatement[]): boolean[] {
  const body = statements.filter((s) => stmtKind(s.ast) !== 'TransactionStmt');
  let wrapped: boolean;
  switch (kind.tool) {
    case 'flyway':
      wrapped = !body.some((s) => isNonTransactional(s.ast));
      break;
    case 'golang-migrate':
    case 'prisma':
      wrapped = body.length > 1;
      break;
    default:
      wrapped = !/^--\s*migrate:up\b[^\n]*transaction:\s*false/m.test(text);
  }
  let explicit = false;
  return statements.map((s) => {
    const t = s.ast.TransactionStmt;
    if (t) {
      if (t.kind === 'TRANS_STMT_BEGIN' || t.kind === 'TRANS_STMT_START') explicit = true;
      else if (t.kind === 'TRANS_STMT_COMMIT' || t.kind === 'TRANS_STMT_ROLLBACK') explicit = false;
      return true;
    }
    return wrapped || explicit;
  });
}

function migrationOf(path: string, text: string, lines: LineIndex, kind: SqlFileKind, statements: ParsedStatement[]): Migration {
  // dbmate keeps both directions in one file: `-- migrate:up` … `-- migrate:down` ….
  const downAt = /^--\s*migrate:down\b/m.exec(text)?.index;
  const flags = transactionFlags(kind, text, statements);
  const toStatement = (s: ParsedStatement, i: number): MigrationStatement => ({
    sql: s.sql,
    ast: s.ast,
    span: lines.span(path, s.start, s.end),
    inTransaction: flags[i],
  });
  const all = statements.map(toStatement);
  const firstLineEnd = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n');
  const migration: Migration = {
    file: path,
    tool: kind.tool,
    id: kind.id,
    parents: [],
    order: kind.order,
    upgrade: downAt === undefined ? all : all.filter((_, i) => statements[i].start < downAt),
    span: lines.span(path, 0, firstLineEnd),
  };
  if (downAt !== undefined) {
    const down = all.filter((_, i) => statements[i].start >= downAt);
    migration.downgrade = { span: lines.span(path, downAt, downAt), statements: down, empty: down.length === 0 };
  }
  if (kind.downFile) migration.downFile = kind.downFile;
  return migration;
}

/** A golang-migrate down file: only its syntax is checked; the up file's migration names it in `downFile`. */
function extractDown(path: string, text: string, lines: LineIndex, facts: FileFacts): void {
  const parsed = parseStatements(prepare(text));
  if (parsed.ok) return;
  const at = parsed.position === undefined ? undefined : Math.max(0, Math.min(parsed.position - 1, text.length));
  const span = at === undefined ? undefined : lines.span(path, at, Math.min(at + 1, text.length));
  facts.problems.push({ file: path, message: `SQL syntax error${span ? ` at line ${span.line}` : ''}: ${parsed.error}; file skipped`, line: span?.line, column: span?.column, span });
}

const DML = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);
const OPERATIONS: Record<string, QuerySite['operation']> = { SelectStmt: 'select', InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete' };

/**
 * A .sql file that is not a migration. Its DDL describes tables that exist (a schema dump, an init script):
 * they are replayed onto a file-local schema and reported as tables with origin 'catalog' — not as a
 * migration, so migration-safety rules do not judge a dump's plain CREATE INDEX. Its DML statements are
 * EXPLAIN sites, and (outside seed/test data) queries whose WHERE columns index rules can check.
 */
function extractNonMigration(path: string, text: string, lines: LineIndex, statements: ParsedStatement[], facts: FileFacts): void {
  const local = emptySchema();
  const ascii = !/[^\x00-\x7f]/.test(text);
  const at = (byte: number) => (ascii ? byte : utf8ToUtf16Offset(text, byte));
  const dataFile = /(^|\/)[^/]*(seed|fixture|test|sample|dummy)[^/]*$|(^|\/)(seeds?|fixtures?|tests?)\//i.test(path);
  for (const s of statements) {
    const kind = stmtKind(s.ast);
    const span = lines.span(path, s.start, s.end);
    if (!DML.has(kind)) {
      applyStatement(local, s.ast, span, 'catalog');
      continue;
    }
    facts.sqlSites.push({ span, sql: s.sql, origin: 'sql-file' });
    if (dataFile || kind === 'InsertStmt') continue;
    const shape = sqlShape(s.ast);
    const ref = (location: number, column: string) => {
      const o = at(location);
      const name = /^[\w."$]+/.exec(text.slice(o, o + 200))?.[0] ?? column;
      return lines.span(path, o, o + name.length);
    };
    const predicates: Predicate[] = shape.predicates.map((p) => ({ table: p.table, column: p.column, op: p.op, span: ref(p.location, p.column) }));
    facts.queries.push({
      id: `${path}:${s.start}`,
      span,
      orm: 'sql',
      operation: OPERATIONS[kind] ?? 'raw',
      executes: true,
      models: [],
      tables: shape.tables,
      predicates,
      orderBy: shape.orderBy.map((o) => ({ table: o.table, column: o.column, span: ref(o.location, o.column) })),
      eagerLoads: [],
      joins: [],
      limited: shape.limited,
      sql: { text: s.sql, construction: 'literal', interpolations: [], parameterized: true, span },
      code: s.sql.length > 500 ? s.sql.slice(0, 500) : s.sql,
    });
  }
  facts.tables.push(...local.tables.values());
}
