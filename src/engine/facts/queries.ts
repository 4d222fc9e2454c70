import type { Span } from '../types';

// Where application code talks to the database, in a form that does not depend on the ORM.

export type PredicateOp =
  | 'eq'
  | 'range' // <, <=, >, >=, BETWEEN
  | 'in'
  | 'null' // IS NULL / IS NOT NULL
  | 'like-prefix' // LIKE 'abc%' / startswith
  | 'like-contains' // LIKE '%abc%' / contains / endswith (a leading wildcard)
  | 'ilike-prefix'
  | 'ilike-contains'
  | 'fulltext'
  | 'other';

/** A column the code names, resolved to a table when the front end or the project merge can tell which. */
export interface ColumnRef {
  /** ORM model class as written ("Job"); the merge resolves it to `table`. */
  model?: string;
  table?: string;
  column: string;
  span: Span;
}

export interface Predicate extends ColumnRef {
  op: PredicateOp;
  /**
   * A function wrapped around the column (`func.lower(User.email) == x` → "lower"): a plain index on the
   * column cannot serve it (eq/range/in then become op 'other'); LIKE ops keep their op for trigram checks.
   */
  expression?: string;
}

/** The loop a site sits in (the innermost one). */
export interface LoopRef {
  span: Span;
  kind: 'for' | 'async-for' | 'while' | 'comprehension' | 'map' | 'forEach' | 'reduce';
  /** The iterated expression as source text, when there is one ("jobs", "result.scalars()"). */
  iterable?: string;
}

/** How a raw SQL string reached the execution sink. */
export type SqlConstruction =
  | 'literal' // a constant string
  | 'fstring' // f"…{x}…" / `…${x}…` in a non-tagged template
  | 'percent' // "…%s…" % x
  | 'format' // "…{}…".format(x)
  | 'concat' // "…" + x
  | 'tagged' // a tagged template that binds parameters (sql`…`, prisma.$queryRaw`…`)
  | 'variable' // a name whose value could not be followed
  | 'unknown';

export interface SqlInterpolation {
  span: Span;
  /** The interpolated expression as source text. */
  expr: string;
  /** True for constants, allow-listed identifiers (looked up from a constant dict/set), and numbers cast by int(). */
  safe: boolean;
  /** Why it is (un)safe, for the message: "comes from the request parameter `status`", "constant". */
  reason: string;
}

export interface RawSql {
  /** The SQL text when statically known; interpolations are replaced by `$n`-style markers so it still parses. */
  text?: string;
  construction: SqlConstruction;
  interpolations: SqlInterpolation[];
  /** True when values are passed separately as bound parameters (params dict/tuple, values array, tagged template). */
  parameterized: boolean;
  /** Span of the SQL string expression itself (for CodeLens EXPLAIN and quick fixes). */
  span: Span;
  /**
   * The bound-parameter form of this SQL when the front end can write it (an f-string inside text() passed
   * straight to execute): the new string literal (replaces `span`), the parameters (name → expression) and
   * the file offset where `, {params}` goes. Lets the sql-injection fix stay a pure edit.
   */
  boundRewrite?: { literal: string; params: Record<string, string>; paramsAt: number };
}

export interface QuerySite {
  /** Unique within the project: `${file}:${start}`. */
  id: string;
  span: Span;
  /** 'sqlalchemy' | 'sqlalchemy-legacy' | 'dbapi' | 'asyncpg' | 'django' | 'prisma' | 'typeorm' | 'knex' | 'sequelize' | 'pg' | 'drizzle' */
  orm: string;
  operation: 'select' | 'get' | 'insert' | 'update' | 'delete' | 'count' | 'exists' | 'raw' | 'unknown';
  /** True when this call sends a statement to the database (session.execute, .all(), cursor.execute…), not just builds one. */
  executes: boolean;
  /** Models the query reads ("Job"); tables once resolved. */
  models: string[];
  tables: string[];
  predicates: Predicate[];
  orderBy: ColumnRef[];
  /** Relationship attribute names eagerly loaded (selectinload(Job.tags) → "tags"; Django select_related("author") → "author"). */
  eagerLoads: string[];
  /** True when the query joins other models in (loops over the result then iterate tuples). */
  joins: string[];
  /** Has LIMIT/first()/one()/pagination. */
  limited: boolean;
  loop?: LoopRef;
  /** Qualified name of the enclosing function ("app.routes.jobs.list_jobs"), if any. */
  functionName?: string;
  sql?: RawSql;
  /** Source text of the whole call, for messages and fingerprints. */
  code: string;
  /**
   * Where the statement is built: the `select(...)` / `session.query(...)` call (may be in an earlier
   * assignment of the same function), so fixes can append `.options(...)` right after it.
   */
  rootSpan?: Span;
  /** How the statement is built: 'select' (2.0 select/update/delete chains) or 'legacy' (Query API). */
  builder?: 'select' | 'write' | 'legacy';
}

/**
 * A lazy relationship read on an item of a loop ("for job in jobs: job.company.name").
 * The front end links it to the query that produced the iterated rows, when it can.
 */
export interface RelationAccess {
  span: Span;
  /** Model of the loop item, as inferred from the query that produced the rows. */
  model: string;
  relationship: string;
  loop: LoopRef;
  /** Id of the QuerySite whose rows the loop iterates. */
  loadedBy?: string;
  /** Whether that query eager-loaded this relationship (or the loop iterates joined tuples that include it). */
  eagerLoaded: boolean;
  functionName?: string;
  /**
   * The read happens inside a project function the loop calls with the row (`task_to_out(t)` reading
   * `task.assignee`): `span` is the call in the loop, `via` names the function chain and where the read is.
   * Set by the merge, never by a front end.
   */
  via?: { callee: string; chain: string[]; read: Span };
  /**
   * The loop iterates a relationship of the loaded object rather than the query's own rows
   * (`for i in order.items.all()` → through "items"): `model` is the loaded object's model and the merge
   * replaces it by the relationship's target; eager loads are then matched as "items.product".
   */
  through?: string;
}

/** An attribute read on a function parameter (`task.assignee` in `def task_to_out(task)`). */
export interface ParamRead {
  param: string;
  attribute: string;
  span: Span;
}

/** A parameter passed on to another call (`details(task)`), so a row can be followed into a second helper. */
export interface ParamPass {
  param: string;
  callee: string;
  /** Position among the callee's parameters (self counted for methods), or the keyword it is passed as. */
  to: number | string;
  /** Called on the instance (`self.details(task)`, `task.details()`): the callee must be a method. */
  bound: boolean;
  /** The parameter is the receiver (`task.details()`): the callee must be a method of the row's model. */
  receiver?: boolean;
}

/**
 * A loop row handed to a call made in the loop (`task_to_out(t)`, `t.to_dict()`): which parameter of the
 * callee receives it, and what the row is, so the merge can find lazy relationships the callee reads.
 */
export interface RowArg {
  /** Position among the callee's parameters (self counted for methods), or the keyword it is passed as. */
  to: number | string;
  /** Called on the instance (`self.f(t)`, `t.f()`): the callee must be a method (of `model`, for `t.f()`). */
  bound: boolean;
  /** The row is the receiver (`t.to_dict()`). */
  receiver?: boolean;
  model: string;
  /** The loop that binds the row (may be outside the call's innermost loop). */
  loop: LoopRef;
  loadedBy: string;
  /** Relationships the row's query eager-loads ("*" for all). */
  eagerLoads: string[];
  /** Models the rows are joined with (a relationship to one of them is already loaded). */
  tupleModels?: string[];
}

/** A function or method definition, so queries reached through calls from loops can be found project-wide. */
export interface FunctionFact {
  /** Bare name ("get_company"). */
  name: string;
  /** Module-qualified name ("app.services.companies.get_company"). */
  qualifiedName: string;
  file: string;
  span: Span;
  /** Executes a query directly in its body (not counting nested function definitions). */
  queries: boolean;
  /** Bare names of the functions/methods it calls ("get_company", "load"), to follow chains of calls. */
  calls: string[];
  /** Parameter names in order, `self` included (Python). */
  params?: string[];
  /** Model-like annotation of each parameter (`task: Task` → "Task"), when it is a plain name. */
  paramTypes?: (string | undefined)[];
  /** Class the function is defined in (a method), for calls on a loop row (`t.to_dict()`). */
  className?: string;
  /** Attributes read on parameters, first read per (param, attribute). */
  paramReads?: ParamRead[];
  paramPasses?: ParamPass[];
}

/** A call made inside a loop; the merge resolves `callee` to project functions that query. */
export interface CallInLoop {
  callee: string;
  span: Span;
  loop: LoopRef;
  functionName?: string;
  code: string;
  /** Loop rows passed to the call (Python), to follow lazy relationship reads into the callee. */
  rowArgs?: RowArg[];
}

/**
 * Code that relies on a set of columns identifying one row: a lookup followed by an insert of the same
 * values ("does a user with this username exist? if not, add one"), or a lookup that expects one row
 * (`.one()`, `scalar_one()`, `get_or_create`). Without a unique constraint, concurrent requests create duplicates.
 */
export interface UniquenessAssumption {
  span: Span;
  kind: 'check-then-insert' | 'expects-one' | 'get-or-create';
  model?: string;
  table?: string;
  columns: string[];
  /** The insert that follows the check, for check-then-insert. */
  insertSpan?: Span;
  code: string;
  /** Qualified name of the enclosing function, for messages ("app.routes.auth.signup"). */
  functionName?: string;
}

/** A value written to a column (constructor kwarg, attribute assignment, INSERT … VALUES). */
export interface ColumnWrite {
  span: Span;
  model?: string;
  table?: string;
  column: string;
  /** The written value as source text. */
  value: string;
  /** The value passes through a password hash / HMAC / digest (bcrypt, argon2, hashlib, hmac…). */
  hashed: boolean;
  /** The value is a freshly generated secret (secrets.token_urlsafe, uuid4, random…). */
  generatedSecret: boolean;
}

/** A SQL statement written in code or a .sql file that a user could EXPLAIN (CodeLens). */
export interface SqlSite {
  span: Span;
  sql: string;
  /** 'sql-file' | 'python-string' | 'ts-string' */
  origin: string;
}

/** A raw-SQL query site: the SQL text is all that is known, so every ORM-level field starts empty. */
export function rawQuerySite(base: Pick<QuerySite, 'id' | 'span' | 'orm' | 'executes' | 'sql' | 'code'>): QuerySite {
  return querySite({ ...base, operation: 'raw' });
}

/** A query site with what the front end read; the lists a front end leaves out start empty, `limited` false. */
export function querySite(base: Pick<QuerySite, 'id' | 'span' | 'orm' | 'operation' | 'executes' | 'code'> & Partial<QuerySite>): QuerySite {
  return { models: [], tables: [], predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: false, ...base };
}
