import type { Node } from 'web-tree-sitter';
import type { FileFacts } from '../../facts';
import type { Migration, MigrationStatement } from '../../facts/migrations';
import type { Span } from '../../types';
import { parseStatements } from '../sql/statements';
import { callArgs, calleeName, stringValue } from './ast';
import type { PyContext } from './context';
import { Dynamic, opToSql, strOpt, type Arg, type EmittedSql, type OpCall } from './sa-ddl';

// Alembic revision files → Migration facts. Every `op.*` call in upgrade()/downgrade() becomes the SQL it
// emits, parsed by libpg-query, so migration rules and the schema replay read Alembic exactly as they read
// .sql files. `with op.get_context().autocommit_block():` marks statements that run outside a transaction;
// `with op.batch_alter_table("t") as batch_op:` supplies the table to the batch operations.

/** Ops that run no DDL of their own (helpers, data loading): skipped silently. */
const NON_DDL = new Set(['f', 'get_context', 'get_bind', 'batch_alter_table', 'inline_literal', 'bulk_insert', 'implementation_for', 'invoke', 'run_async', 'register_operation']);

/** For batch operations, where the implied table name goes among the positional arguments. */
const BATCH_TABLE_POSITION: Record<string, number> = {
  add_column: 0,
  drop_column: 0,
  alter_column: 0,
  create_index: 1,
  create_unique_constraint: 1,
  create_primary_key: 1,
  create_check_constraint: 1,
  create_foreign_key: 1,
  drop_constraint: 1,
};

export function extractAlembic(ctx: PyContext, facts: FileFacts): void {
  if (!/\bdown_revision\b/.test(ctx.text) || !/\bdef\s+upgrade\b/.test(ctx.text)) return;

  let revision: { id: string; stmt: Node } | undefined;
  let parents: string[] | undefined;
  let branchLabels: string[] = [];
  let upgrade: Node | undefined;
  let downgrade: Node | undefined;
  for (const stmt of ctx.root.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'function_definition') {
      const name = stmt.childForFieldName('name')?.text;
      if (name === 'upgrade') upgrade = stmt;
      else if (name === 'downgrade') downgrade = stmt;
      continue;
    }
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type !== 'assignment') continue;
    const name = a.childForFieldName('left')?.text;
    const value = a.childForFieldName('right');
    if (!value) continue;
    if (name === 'revision') {
      const id = stringValue(value);
      if (id) revision = { id, stmt };
    } else if (name === 'down_revision') parents = stringList(value);
    else if (name === 'branch_labels') branchLabels = stringList(value) ?? [];
  }
  if (!revision || !upgrade || parents === undefined) return;

  const migration: Migration = {
    file: ctx.path,
    tool: 'alembic',
    id: revision.id,
    parents,
    upgrade: readBody(ctx, upgrade),
    span: ctx.span(revision.stmt),
  };
  if (branchLabels.length) migration.branchLabels = branchLabels;
  if (downgrade) migration.downgrade = { span: ctx.span(downgrade), statements: readBody(ctx, downgrade), empty: isEmptyBody(downgrade) };
  facts.migrations.push(migration);
}

/** None → [], "abc" → ["abc"], ("a", "b") → both; undefined when not literal. */
function stringList(node: Node): string[] | undefined {
  if (node.type === 'none') return [];
  const s = stringValue(node);
  if (s !== undefined) return [s];
  if (node.type === 'tuple' || node.type === 'list' || node.type === 'parenthesized_expression') {
    const out: string[] = [];
    for (const c of node.namedChildren) {
      if (!c || c.type === 'comment') continue;
      const v = stringValue(c);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  return undefined;
}

/** A body that does nothing: only `pass`, `...`, docstrings and comments. */
function isEmptyBody(def: Node): boolean {
  const body = def.childForFieldName('body');
  if (!body) return true;
  return body.namedChildren.every((s) => {
    if (!s || s.type === 'comment' || s.type === 'pass_statement') return true;
    if (s.type === 'expression_statement') {
      const e = s.namedChildren[0];
      return e?.type === 'string' || e?.type === 'ellipsis' || e?.type === 'concatenated_string';
    }
    return false;
  });
}

interface Scope {
  inTransaction: boolean;
  /** Names bound to `op.batch_alter_table(...)` → its table name (undefined when not literal). */
  batch: Map<string, string | undefined>;
  /** Names bound to `op.get_bind()` (a connection whose execute() runs SQL). */
  binds: Set<string>;
}

function readBody(ctx: PyContext, def: Node): MigrationStatement[] {
  const out: MigrationStatement[] = [];
  const body = def.childForFieldName('body');
  if (body) visit(ctx, body, { inTransaction: true, batch: new Map(), binds: new Set() }, out);
  return out;
}

function visit(ctx: PyContext, node: Node, scope: Scope, out: MigrationStatement[]): void {
  if (node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'lambda') return;
  if (node.type === 'with_statement') {
    const inner: Scope = { inTransaction: scope.inTransaction, batch: new Map(scope.batch), binds: scope.binds };
    const clause = node.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      const value = item?.childForFieldName('value') ?? item?.namedChildren[0];
      const expr = value?.type === 'as_pattern' ? value.namedChildren[0] : value;
      const alias = value?.type === 'as_pattern' ? value.childForFieldName('alias')?.text ?? value.namedChildren[1]?.text : undefined;
      if (expr?.type !== 'call') continue;
      const name = calleeName(expr);
      const fn = expr.childForFieldName('function');
      if (/\bautocommit_block$/.test(fn?.text ?? '') && /get_context\(\)/.test(fn?.text ?? '')) inner.inTransaction = false;
      else if (name.endsWith('.batch_alter_table') && alias) {
        inner.batch.set(alias.replace(/^as\s+/, ''), strOpt(callArgs(expr).positional[0] ?? callArgs(expr).keywords.get('table_name')));
      }
    }
    const body = node.childForFieldName('body');
    if (body) visit(ctx, body, inner, out);
    return;
  }
  if (node.type === 'assignment') {
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    if (right?.type === 'call' && /(^|\.)get_bind$/.test(calleeName(right)) && left?.type === 'identifier') scope.binds.add(left.text);
  }
  if (node.type === 'call') {
    const handled = readOp(ctx, node, scope, out);
    if (handled) return;
  }
  for (const c of node.namedChildren) if (c) visit(ctx, c, scope, out);
}

/** Reads one call; true when it was an op (its arguments then need no further visiting). */
function readOp(ctx: PyContext, call: Node, scope: Scope, out: MigrationStatement[]): boolean {
  const callee = calleeName(call);
  const dot = callee.lastIndexOf('.');
  if (dot < 0) return false;
  const receiver = callee.slice(0, dot);
  const name = callee.slice(dot + 1);
  const isOp = receiver === 'op';
  const isBatch = scope.batch.has(receiver);
  // `op.get_bind().execute(...)`, `conn.execute(...)` where conn = op.get_bind(), `op.get_bind().exec_driver_sql(...)`.
  const fnText = call.childForFieldName('function')?.text ?? '';
  const isBind = (name === 'execute' || name === 'exec_driver_sql') && (scope.binds.has(receiver) || /^op\.get_bind\(\)\.\w+$/.test(fnText));
  if (!isOp && !isBatch && !isBind) return false;
  if ((isOp || isBatch) && NON_DDL.has(name)) return false;

  const args = callArgs(call);
  const span = ctx.span(call);
  const kwargs: Record<string, string> = {};
  for (const [k, v] of args.keywords) kwargs[k] = v.text;
  const base = { span, inTransaction: scope.inTransaction, op: callee, kwargs };
  const positional: Arg[] = [...args.positional];
  if (isBatch) {
    const table = scope.batch.get(receiver);
    const at = BATCH_TABLE_POSITION[name];
    if (table === undefined) {
      out.push({ ...base, sql: '', parseError: 'batch_alter_table name is not a literal' });
      return true;
    }
    if (at !== undefined) positional.splice(at, 0, { implied: table });
  }
  const opCall: OpCall = { name: isBind ? 'execute' : name, positional, keywords: args.keywords, hasSplat: args.hasSplat };
  let sqls: EmittedSql[];
  try {
    sqls = opToSql(opCall);
  } catch (e) {
    if (!(e instanceof Dynamic)) throw e;
    out.push({ ...base, sql: '', parseError: e.message });
    return true;
  }
  for (const emitted of sqls) pushParsed(ctx, emitted, base, out);
  return true;
}

function pushParsed(ctx: PyContext, emitted: EmittedSql, base: { span: Span; inTransaction: boolean; op: string; kwargs: Record<string, string> }, out: MigrationStatement[]): void {
  const parsed = parseStatements(emitted.sql);
  if (!parsed.ok) {
    out.push({ ...base, sql: emitted.sql, parseError: parsed.error });
    return;
  }
  for (const st of parsed.statements) {
    const ms: MigrationStatement = { ...base, sql: st.sql, ast: st.ast };
    // The rendered SQL is one statement starting at offset 0, so part offsets are offsets into `sql`.
    if (emitted.parts?.length && parsed.statements.length === 1) ms.sourceMap = emitted.parts.map((p) => ({ start: p.start, end: p.end, span: ctx.span(p.node) }));
    out.push(ms);
  }
}
