import type { Span } from '../types';
import type { DjangoModelOp } from './django-alter-field';

/** A libpg-query parse node for one statement, e.g. `{ IndexStmt: { … } }`. Its shape is PostgreSQL's own. */
export type PgStmt = Record<string, any>;

export type MigrationTool =
  | 'alembic'
  | 'sql' // a plain ordered folder of .sql files
  | 'flyway'
  | 'golang-migrate'
  | 'prisma'
  | 'drizzle'
  | 'django'
  | 'knex'
  | 'typeorm'
  | 'sequelize';

/**
 * One schema-changing step of a migration, always expressed as the SQL it runs, whatever the dialect:
 * an Alembic `op.create_index(...)` becomes `CREATE INDEX …` here, so every migration rule reads one form.
 */
export interface MigrationStatement {
  /** The SQL the step runs. For ORM ops, the DDL the tool would emit (good enough to parse and to replay). */
  sql: string;
  /** The parsed statement; absent when the SQL could not be determined or parsed (see `parseError`). */
  ast?: PgStmt;
  parseError?: string;
  /** Where the step is written in the migration file (the op call, or the SQL statement). */
  span: Span;
  /** Whether the step runs inside a transaction (Alembic default yes; inside autocommit_block no; SQL files per tool). */
  inTransaction: boolean;
  /** For ORM ops: the op as written, e.g. `op.create_index`; absent for raw SQL files. */
  op?: string;
  /** For ORM ops: keyword arguments as source text (`postgresql_concurrently` → `True`), for dialect-aware fixes. */
  kwargs?: Record<string, string>;
  /**
   * For ORM ops: which source argument produced which part of `sql` (UTF-16 offsets into `sql`), so a finding
   * about one column or constraint of a `create_table` can point at the `sa.Column(...)` / constraint line.
   */
  sourceMap?: { start: number; end: number; span: Span }[];
}

export interface Migration {
  file: string;
  tool: MigrationTool;
  /** Revision id (Alembic), version (Flyway `V3`), or the file stem. Unique within the project. */
  id: string;
  /** Parent revisions (Alembic down_revision, tuple for merges). Empty for the root. SQL tools: the previous file. */
  parents: string[];
  /** Alembic `branch_labels`: a labelled branch may intentionally keep its own head. */
  branchLabels?: string[];
  /** Sort key for file-ordered tools (version number / timestamp); Alembic orders by the graph. */
  order?: string;
  upgrade: MigrationStatement[];
  /**
   * The reverse step. Absent when the tool keeps none in the same file (plain SQL, Flyway).
   * `empty` is true when it exists but does nothing (`pass`, only a docstring).
   */
  downgrade?: { span: Span; statements: MigrationStatement[]; empty: boolean };
  /**
   * For tools that keep the reverse step in a separate file (golang-migrate `<n>_x.down.sql`): that file's
   * conventional path. It exists when `facts.files.has(downFile)`.
   */
  downFile?: string;
  /** Where the revision is declared (Alembic `revision = …` line), or the file's first line. */
  span: Span;
  /**
   * Django: every operation that changes the model state, in order. AlterField's SQL depends on the field's
   * previous definition, which usually another file holds, so the extractor leaves a placeholder statement
   * in `upgrade` and the project merge replays these to replace it (see `resolveDjangoAlterFields`).
   */
  djangoOps?: DjangoModelOp[];
  /** Set by the project merge: tables that existed before this migration ran (so same-migration tables are exempt). */
  tablesBefore?: Set<string>;
}
