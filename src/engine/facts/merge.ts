import { applyMigrationStatement } from '../sources/sql/apply';
import { resolveDjangoAlterFields } from './django-alter-field';
import type { FileFacts, IndirectLoopQuery, ProjectFacts } from './index';
import type { Migration } from './migrations';
import type { CallInLoop, FunctionFact, QuerySite, RelationAccess } from './queries';
import { emptySchema, type Index, type Schema, type Table } from './schema';

// Builds the project-wide facts from per-file facts. Pure and re-run on every analysis; per-file
// extraction (the expensive part) is cached by the engine, so this stays linear in the number of facts.

export function mergeFacts(files: Map<string, FileFacts>): ProjectFacts {
  const all = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const flat = <K extends keyof FileFacts>(k: K) => all.flatMap((f) => f[k] as unknown as any[]) as any[];

  const migrations = resolveDjangoAlterFields(orderMigrations(flat('migrations') as Migration[]));
  const migrationSchema = emptySchema();
  for (const m of migrations) {
    m.tablesBefore = new Set(migrationSchema.tables.keys());
    for (const st of m.upgrade) {
      if (st.ast) applyMigrationStatement(migrationSchema, st, m.file);
    }
  }

  const modelSchema = emptySchema();
  for (const t of flat('tables') as Table[]) {
    const existing = modelSchema.tables.get(t.name);
    if (existing) mergeTableInto(existing, t);
    else modelSchema.tables.set(t.name, cloneTable(t));
  }

  typeForeignKeyColumns(modelSchema, migrationSchema);

  const schema = emptySchema();
  for (const [name, t] of migrationSchema.tables) schema.tables.set(name, cloneTable(t));
  for (const [name, t] of modelSchema.tables) {
    const existing = schema.tables.get(name);
    if (existing) mergeTableInto(existing, t, true);
    else schema.tables.set(name, cloneTable(t));
  }

  const modelTables = new Map<string, string>();
  for (const t of schema.tables.values()) if (t.model) modelTables.set(t.model, t.name);

  const queries = flat('queries') as QuerySite[];
  const resolve = <T extends { model?: string; table?: string }>(x: T): T => {
    if (!x.table && x.model) x.table = modelTables.get(x.model);
    return x;
  };
  for (const q of queries) {
    for (const p of q.predicates) resolve(p);
    for (const o of q.orderBy) resolve(o);
    const fromModels = q.models.map((m) => modelTables.get(m)).filter((t): t is string => !!t);
    q.tables = [...new Set([...q.tables, ...fromModels])];
  }
  const uniquenessAssumptions = flat('uniquenessAssumptions').map(resolve);
  const columnWrites = flat('columnWrites').map(resolve);
  const functions = flat('functions') as FunctionFact[];
  const callsInLoops = flat('callsInLoops');

  return {
    files,
    schema,
    modelSchema,
    migrationSchema,
    migrations,
    modelTables,
    queries,
    relationAccesses: [...throughRelations(flat('relationAccesses'), schema, modelTables), ...resolveRowReads(callsInLoops, functions)],
    functions,
    callsInLoops,
    indirectLoopQueries: resolveIndirect(callsInLoops, functions, queries),
    uniquenessAssumptions,
    columnWrites,
    clients: flat('clients'),
    credentials: flat('credentials'),
    evidence: flat('evidence'),
    sqlSites: flat('sqlSites'),
    problems: flat('problems'),
  };
}

/** Follows calls made inside loops into project functions (up to 3 calls deep) that execute a query. */
function resolveIndirect(calls: ProjectFacts['callsInLoops'], functions: FunctionFact[], queries: QuerySite[]): IndirectLoopQuery[] {
  const byName = new Map<string, FunctionFact[]>();
  for (const f of functions) {
    const list = byName.get(f.name);
    if (list) list.push(f);
    else byName.set(f.name, [f]);
  }
  const queriesByFunction = new Map<string, QuerySite>();
  for (const q of queries) if (q.executes && q.functionName && !q.loop && !queriesByFunction.has(q.functionName)) queriesByFunction.set(q.functionName, q);

  const out: IndirectLoopQuery[] = [];
  for (const call of calls) {
    const seen = new Set<string>();
    let frontier: { fn: FunctionFact; chain: string[] }[] = (byName.get(call.callee) ?? []).map((fn) => ({ fn, chain: [fn.qualifiedName] }));
    let hit: IndirectLoopQuery | undefined;
    for (let depth = 0; depth < 3 && frontier.length && !hit; depth++) {
      const next: typeof frontier = [];
      for (const { fn, chain } of frontier) {
        if (seen.has(fn.qualifiedName)) continue;
        seen.add(fn.qualifiedName);
        const q = fn.queries ? queriesByFunction.get(fn.qualifiedName) : undefined;
        if (q) {
          hit = { call, chain, query: q };
          break;
        }
        for (const callee of fn.calls) for (const g of byName.get(callee) ?? []) next.push({ fn: g, chain: [...chain, g.qualifiedName] });
      }
      frontier = next;
    }
    if (hit) out.push(hit);
  }
  return out;
}

function byBareName(functions: FunctionFact[]): Map<string, FunctionFact[]> {
  const byName = new Map<string, FunctionFact[]>();
  for (const f of functions) {
    const list = byName.get(f.name);
    if (list) list.push(f);
    else byName.set(f.name, [f]);
  }
  return byName;
}

/**
 * Attributes read inside project functions that a loop hands its row to (`[task_to_out(t) for t in tasks]`
 * with `task_to_out` reading `task.assignee`), following the row through up to 3 functions. Each becomes a
 * RelationAccess at the call, with `via`; the rule keeps those that are lazy relationships not eager-loaded.
 * Callees resolve by bare name like resolveIndirect: methods only for `self.f(t)` / `t.f()` (of the row's
 * model for `t.f()`), a same-file definition over others, and a parameter annotated with another model rules
 * a candidate out.
 */
function resolveRowReads(calls: CallInLoop[], functions: FunctionFact[]): RelationAccess[] {
  const byName = byBareName(functions);
  const candidates = (name: string, bound: boolean, receiver: boolean, model: string, file: string) => {
    const all = (byName.get(name) ?? []).filter((f) => f.params && (bound ? !!f.className && (!receiver || f.className === model) : !f.className));
    const local = all.filter((f) => f.file === file);
    return local.length ? local : all;
  };
  const out: RelationAccess[] = [];
  for (const call of calls) {
    for (const arg of call.rowArgs ?? []) {
      const seen = new Set<string>();
      const visited = new Set<string>();
      const tuple = new Set((arg.tupleModels ?? []).map((m) => m.replace(/_/g, '').toLowerCase()));
      const visit = (name: string, to: number | string, bound: boolean, receiver: boolean, file: string, chain: string[]) => {
        if (chain.length >= 3) return;
        for (const fn of candidates(name, bound, receiver, arg.model, file)) {
          const params = fn.params!;
          const i = typeof to === 'number' ? to : params.indexOf(to);
          const param = params[i];
          if (!param || visited.has(`${fn.qualifiedName}:${param}`)) continue;
          visited.add(`${fn.qualifiedName}:${param}`);
          const declared = fn.paramTypes?.[i];
          if (declared && declared !== arg.model) continue;
          const via = [...chain, fn.qualifiedName];
          for (const r of fn.paramReads ?? []) {
            if (r.param !== param || seen.has(r.attribute)) continue;
            seen.add(r.attribute);
            const eager = arg.eagerLoads.includes('*') || arg.eagerLoads.includes(r.attribute) || tuple.has(r.attribute.replace(/_/g, '').toLowerCase());
            const a: RelationAccess = { span: call.span, model: arg.model, relationship: r.attribute, loop: arg.loop, loadedBy: arg.loadedBy, eagerLoaded: eager, via: { callee: call.callee, chain: via, read: r.span } };
            if (call.functionName) a.functionName = call.functionName;
            out.push(a);
          }
          for (const p of fn.paramPasses ?? []) if (p.param === param) visit(p.callee, p.to, p.bound, !!p.receiver, fn.file, via);
        }
      };
      visit(call.callee, arg.to, arg.bound, !!arg.receiver, call.span.file, []);
    }
  }
  return out;
}

/**
 * Accesses on rows of a relationship of a loaded object (`for i in order.items.all(): i.product`): the
 * row model is the relationship's target. Copies, so the cached per-file facts keep the front end's view.
 */
function throughRelations(accesses: RelationAccess[], schema: Schema, modelTables: Map<string, string>): RelationAccess[] {
  return accesses.flatMap((a) => {
    if (!a.through) return [a];
    const table = schema.tables.get(modelTables.get(a.model) ?? '');
    const target = table?.relationships.find((r) => r.name === a.through)?.target;
    return target && modelTables.has(target) ? [{ ...a, model: target }] : [];
  });
}

/** Alembic by its revision graph (parents first); file-ordered tools by their version key. */
export function orderMigrations(migrations: Migration[]): Migration[] {
  const graphTools = new Set(['alembic', 'django']);
  const graph = migrations.filter((m) => graphTools.has(m.tool));
  const filed = migrations
    .filter((m) => !graphTools.has(m.tool))
    .sort((a, b) => (a.order ?? a.id).localeCompare(b.order ?? b.id, 'en', { numeric: true }) || a.file.localeCompare(b.file));

  const byId = new Map(graph.map((m) => [m.id, m]));
  const done = new Set<string>();
  const ordered: Migration[] = [];
  const visit = (m: Migration, stack: Set<string>) => {
    if (done.has(m.id) || stack.has(m.id)) return;
    stack.add(m.id);
    for (const p of m.parents) {
      const parent = byId.get(p);
      if (parent) visit(parent, stack);
    }
    stack.delete(m.id);
    done.add(m.id);
    ordered.push(m);
  };
  for (const m of [...graph].sort((a, b) => a.file.localeCompare(b.file))) visit(m, new Set());
  return [...ordered, ...filed];
}

/**
 * A model column declared only by its foreign key (`mapped_column(ForeignKey("companies.id"))`, `Column(None,
 * ForeignKey(...))`) takes the referenced column's type, as SQLAlchemy does, from the models or else from the
 * migrations. Chains (an FK to an FK column) resolve in a few passes.
 */
function typeForeignKeyColumns(models: Schema, migrations: Schema): void {
  const typeOf = (table: string, column: string) =>
    models.tables.get(table)?.columns.find((c) => c.name === column)?.type || migrations.tables.get(table)?.columns.find((c) => c.name === column)?.type || '';
  for (let pass = 0; pass < 3; pass++) {
    let changed = false;
    for (const t of models.tables.values()) {
      for (const fk of t.foreignKeys) {
        if (fk.columns.length !== 1 || fk.refColumns.length !== 1) continue;
        const col = t.columns.find((c) => c.name === fk.columns[0]);
        if (!col || col.type) continue;
        const type = typeOf(fk.refTable, fk.refColumns[0]);
        // A serial key is an integer (bigserial a bigint) in the referencing column.
        col.type = type === 'serial' ? 'integer' : type === 'bigserial' ? 'bigint' : type === 'smallserial' ? 'smallint' : type;
        changed ||= !!col.type;
      }
    }
    if (!changed) break;
  }
}

function cloneTable(t: Table): Table {
  return {
    ...t,
    columns: t.columns.map((c) => ({ ...c })),
    primaryKey: [...t.primaryKey],
    indexes: t.indexes.map((i) => ({ ...i, keys: i.keys.map((k) => ({ ...k })) })),
    foreignKeys: t.foreignKeys.map((f) => ({ ...f })),
    checks: t.checks.map((c) => ({ ...c })),
    relationships: t.relationships.map((r) => ({ ...r })),
  };
}

const sameIndex = (a: Index, b: Index) =>
  a.unique === b.unique &&
  a.method === b.method &&
  (a.where ?? '') === (b.where ?? '') &&
  a.keys.length === b.keys.length &&
  a.keys.every((k, i) => k.column === b.keys[i].column && k.expression === b.keys[i].expression && k.opclass === b.keys[i].opclass);

/**
 * Layers `src` onto `dst`: missing columns, indexes, FKs and relationships are added. With `preferSource`
 * (a model over a migration), the model's spans and ORM details win, so findings point at the code people edit.
 */
function mergeTableInto(dst: Table, src: Table, preferSource = false): void {
  if (src.model) dst.model = src.model;
  if (preferSource && src.span) dst.span = src.span;
  for (const c of src.columns) {
    const mine = dst.columns.find((d) => d.name === c.name);
    if (!mine) dst.columns.push({ ...c });
    else if (preferSource) {
      if (c.attribute) mine.attribute = c.attribute;
      if (c.span) mine.span = c.span;
      mine.unique = mine.unique || c.unique;
    }
  }
  if (!dst.primaryKey.length) dst.primaryKey = [...src.primaryKey];
  for (const ix of src.indexes) if (!dst.indexes.some((d) => sameIndex(d, ix))) dst.indexes.push({ ...ix });
  for (const fk of src.foreignKeys) {
    const mine = dst.foreignKeys.find((d) => d.columns.join() === fk.columns.join());
    if (!mine) dst.foreignKeys.push({ ...fk });
    else if (preferSource && fk.span) mine.span = fk.span;
  }
  for (const ck of src.checks) if (!dst.checks.some((d) => d.expression === ck.expression)) dst.checks.push({ ...ck });
  for (const r of src.relationships) if (!dst.relationships.some((d) => d.name === r.name)) dst.relationships.push({ ...r });
}

export function tableOf(schema: Schema, name: string | undefined): Table | undefined {
  return name ? schema.tables.get(name.toLowerCase()) : undefined;
}
