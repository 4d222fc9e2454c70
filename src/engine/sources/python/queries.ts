import type { Node } from 'web-tree-sitter';
import { type CallInLoop, type FileFacts, type FunctionFact, type ParamPass, type ParamRead, type QuerySite, querySite, type RelationAccess, type RowArg } from '../../facts';
import { calleeName, callArgs, enclosingFunction, qualifiedFunctionName, shortName, walk } from './ast';
import type { PyContext } from './context';
import { callsPassing, innermostLoop, isComprehension, loopRef, targetNames } from './loops';
import { ChainReader, isModelName, isSessionLike, LEGACY_TERMINALS, unwrap, type Chain } from './query-chain';

// SQLAlchemy query sites (2.0 `select()` chains executed by a session, the legacy Query API,
// Flask-SQLAlchemy's `Model.query`), the loops they sit in, relationship attributes read on the rows of a
// query inside a loop, function definitions and the calls made inside loops. Each query is reported once,
// at the place it is executed, carrying the predicates of the statement it runs.

/** Session/connection methods that send a statement given as their first argument. */
const EXEC_METHODS = new Set(['execute', 'scalars', 'scalar', 'scalar_one', 'scalar_one_or_none', 'stream', 'stream_scalars', 'paginate', 'first_or_404', 'one_or_404']);
/** Session methods that load one row by primary key: `session.get(Job, id)`. */
const GET_METHODS = new Set(['get', 'get_one', 'get_or_404']);
/** Result methods that keep the rows of the query they are called on. */
const RESULT_METHODS = new Set(['all', 'scalars', 'unique', 'fetchall', 'tuples', 'yield_per']);

/** Calls inside loops that are never project functions that query. */
const NOT_PROJECT = new Set([
  ...'print len str int float bool list dict set tuple sorted reversed enumerate zip range min max sum any all isinstance issubclass getattr setattr hasattr iter next map filter repr round abs format type id hash open super vars object divmod callable'.split(' '),
  ...'append extend insert pop remove add update discard clear copy get items keys values setdefault join split strip lower upper replace startswith endswith encode decode format sort index count'.split(' '),
  ...'debug info warning warn error exception critical log sleep time now utcnow today isoformat strftime dumps loads'.split(' '),
  ...'flush commit rollback refresh expire expunge merge close begin begin_nested add_all delete execute scalars scalar get_bind'.split(' '),
  ...'select where filter filter_by order_by limit offset options join outerjoin selectinload joinedload subqueryload and_ or_ not_ desc asc func text'.split(' '),
]);
const NOT_PROJECT_RECEIVERS = /^(session|db|conn|connection|cursor|cur|logger|log|logging|request|response|redis|cache|app|router|json|os|re|math|time|datetime|asyncio|np|pd|self\.session|self\.db)$/;
const EXTERNAL_MODULES = /^(sqlalchemy|fastapi|flask|flask_sqlalchemy|pydantic|typing|datetime|json|re|os|logging|asyncio|collections|itertools|functools|math|decimal|uuid|hashlib|secrets|starlette|django|celery|requests|httpx|time|random|string|enum|dataclasses|pathlib|contextlib|alembic|werkzeug|jinja2|marshmallow)(\.|$)/;

export function extractQueries(ctx: PyContext, facts: FileFacts): void {
  const scopes = new Scopes(ctx.root);
  const consumed = new Set<number>();
  const reader = new ChainReader(ctx, (id) => scopes.valueOf(id), consumed);
  const { external, modules } = imports(ctx.root);

  const calls: Node[] = [];
  const loops: Node[] = [];
  const functions: Node[] = [];
  walk(ctx.root, (n) => {
    if (n.type === 'call') calls.push(n);
    else if (n.type === 'for_statement' || isComprehension(n)) loops.push(n);
    else if (n.type === 'function_definition') functions.push(n);
  });

  const sites: { site: QuerySite; chain?: Chain; node: Node }[] = [];
  const siteByNode = new Map<number, { site: QuerySite; chain?: Chain }>();
  const push = (node: Node, chain: Chain | undefined, fields: Partial<QuerySite> & Pick<QuerySite, 'orm' | 'operation' | 'executes'>) => {
    const loop = innermostLoop(node);
    const def = enclosingFunction(node);
    const site = querySite({
      id: `${ctx.path}:${node.startIndex}`,
      span: ctx.span(node),
      models: chain?.models ?? [],
      predicates: chain?.predicates ?? [],
      orderBy: chain?.orderBy ?? [],
      eagerLoads: chain?.eagerLoads ?? [],
      joins: chain?.joins ?? [],
      limited: chain?.limited ?? false,
      code: clip(node.text),
      ...fields,
    });
    if (chain) {
      site.rootSpan = ctx.span(chain.root);
      site.builder = chain.kind;
    }
    if (loop) site.loop = loopRef(ctx, loop);
    if (def) site.functionName = qualifiedFunctionName(def, ctx.path);
    sites.push({ site, chain, node });
    siteByNode.set(nodeKey(node), { site, chain });
  };

  // 1. Execution sites.
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') continue;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const recv = fn.childForFieldName('object');
    const args = callArgs(call);
    if (EXEC_METHODS.has(method) && args.positional.length) {
      const chain = reader.read(args.positional[0]);
      if (chain && chain.kind !== 'legacy') {
        const limited = chain.limited || method === 'scalar' || method.startsWith('scalar_one') || method.endsWith('_404') || method === 'paginate';
        push(call, chain, { orm: 'sqlalchemy', operation: chain.operation, executes: true, limited });
        continue;
      }
    }
    if (GET_METHODS.has(method) && recv && isSessionLike(recv) && args.positional.length >= 2) {
      const m = unwrap(args.positional[0]);
      if (m?.type === 'identifier' && isModelName(m.text)) {
        push(call, undefined, { orm: 'sqlalchemy', operation: 'get', executes: true, models: [m.text], limited: true });
        continue;
      }
    }
    if (LEGACY_TERMINALS.has(method) && method !== 'exists') {
      const chain = reader.read(call);
      if (chain?.kind === 'legacy' && chain.terminal && chain.models.length) {
        push(call, chain, { orm: 'sqlalchemy-legacy', operation: chain.operation, executes: true });
      }
    }
  }

  // 2. Statements built but not executed here (returned, passed on, subqueries); a legacy query iterated
  //    directly (`for u in User.query.filter(...)`) runs when iterated.
  const roots: Node[] = [];
  const probe = new ChainReader(ctx, (id) => scopes.valueOf(id), new Set());
  walk(ctx.root, (n) => {
    if (consumed.has(n.startIndex)) return;
    if (n.type === 'call' || (n.type === 'attribute' && n.childForFieldName('attribute')?.text === 'query')) {
      const c = probe.read(n);
      if (c && c.root.startIndex === n.startIndex && c.root.endIndex === n.endIndex) roots.push(n);
    }
  });
  for (const root of roots) {
    if (consumed.has(root.startIndex)) continue;
    let outer = outermostChain(root);
    const assigned = outer.parent?.type === 'assignment' && outer.parent.childForFieldName('right')?.startIndex === outer.startIndex ? outer.parent : undefined;
    const target = assigned?.childForFieldName('left');
    if (target?.type === 'identifier') {
      // Report the statement as it stands after its last reassignment (`stmt = stmt.where(...)`).
      const last = scopes.lastValue(target.text, assigned!);
      if (last) outer = last;
    }
    const chain = reader.read(outer);
    if (!chain) continue;
    consumed.add(root.startIndex);
    const iterated = isIterated(outer);
    push(outer, chain, {
      orm: chain.kind === 'legacy' ? 'sqlalchemy-legacy' : 'sqlalchemy',
      operation: chain.operation,
      executes: chain.kind === 'legacy' && iterated,
    });
  }
  for (const s of sites) facts.queries.push(s.site);

  // 3. Relationship attributes read on the rows of a query, inside the loop over those rows (and rows
  //    handed to calls in the loop, which merge.ts follows into the callee).
  const rowArgs = new Map<number, RowArg[]>();
  for (const loop of loops) {
    const { target, iterable, body } = loopParts(loop);
    if (!iterable) continue;
    const names = targetNames(target);
    if (!names.length) continue;
    const src = rowsSource(iterable, siteByNode, scopes);
    if (!src?.chain) continue;
    const { site, chain } = src;
    const entities = chain.entities.length ? chain.entities : chain.kind === 'legacy' || chain.kind === 'select' ? chain.models.slice(0, 1) : [];
    let bound: { name: string; model: string }[];
    if (names.length === 1 && target?.type === 'identifier') {
      if (entities.length !== 1) continue;
      bound = [{ name: names[0], model: entities[0] }];
    } else {
      if (entities.length !== names.length) continue;
      bound = names.map((name, i) => ({ name, model: entities[i] }));
    }
    const tupleModels = new Set(bound.length > 1 ? entities.map(norm) : []);
    const ref = loopRef(ctx, loop);
    const fn = enclosingFunction(loop);
    for (const { name, model } of bound) {
      const seen = new Set<string>();
      for (const part of body) {
        walk(part, (n) => {
          if (n.type !== 'attribute') return;
          const obj = n.childForFieldName('object');
          const attr = n.childForFieldName('attribute')?.text;
          if (obj?.type !== 'identifier' || obj.text !== name || !attr || attr.startsWith('_') || seen.has(attr)) return;
          const parent = n.parent;
          if (parent?.type === 'call' && parent.childForFieldName('function')?.startIndex === n.startIndex) return; // a method
          if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.startIndex === n.startIndex) return;
          seen.add(attr);
          const eager = site.eagerLoads.includes('*') || site.eagerLoads.includes(attr) || tupleModels.has(norm(attr));
          const access: RelationAccess = { span: ctx.span(n), model, relationship: attr, loop: ref, loadedBy: site.id, eagerLoaded: eager };
          if (fn) access.functionName = qualifiedFunctionName(fn, ctx.path);
          facts.relationAccesses.push(access);
        });
      }
      for (const rc of callsPassing(body, new Set([name]))) {
        const arg: RowArg = { to: rc.to, bound: rc.bound, model, loop: ref, loadedBy: site.id, eagerLoads: site.eagerLoads };
        if (rc.receiver) arg.receiver = true;
        if (tupleModels.size) arg.tupleModels = [...tupleModels];
        rowArgs.set(nodeKey(rc.call), [...(rowArgs.get(nodeKey(rc.call)) ?? []), arg]);
      }
    }
  }

  // 4. Function definitions: whether each queries directly, and what it calls.
  const executesIn = new Set<number>();
  for (const s of sites) if (s.site.executes) {
    const def = enclosingFunction(s.node);
    if (def) executesIn.add(def.startIndex);
  }
  const callsIn = new Map<number, Set<string>>();
  for (const call of calls) {
    const def = enclosingFunction(call);
    const name = projectCallee(call, external, modules);
    if (!def || !name) continue;
    const set = callsIn.get(def.startIndex) ?? new Set<string>();
    set.add(name);
    callsIn.set(def.startIndex, set);
  }
  for (const def of functions) {
    const nameNode = def.childForFieldName('name');
    if (!nameNode) continue;
    const f: FunctionFact = {
      name: nameNode.text,
      qualifiedName: qualifiedFunctionName(def, ctx.path),
      file: ctx.path,
      span: ctx.span(nameNode),
      queries: executesIn.has(def.startIndex),
      calls: [...(callsIn.get(def.startIndex) ?? [])],
    };
    describeParams(ctx, def, f, external, modules);
    facts.functions.push(f);
  }

  // 5. Calls made inside loops (merge.ts follows them to project functions that query).
  for (const call of calls) {
    if (siteByNode.has(nodeKey(call))) continue;
    const loop = innermostLoop(call);
    if (!loop) continue;
    const callee = projectCallee(call, external, modules) ?? loopItemMethod(call, loop);
    if (!callee) continue;
    const def = enclosingFunction(call);
    const c: CallInLoop = { callee, span: ctx.span(call), loop: loopRef(ctx, loop), code: clip(call.text) };
    if (def) c.functionName = qualifiedFunctionName(def, ctx.path);
    const args = rowArgs.get(nodeKey(call));
    if (args) c.rowArgs = args;
    facts.callsInLoops.push(c);
  }
}

/**
 * Parameters of a function, the attributes it reads on them and the calls it passes them to, so merge.ts
 * can tell which lazy relationships of a loop row a helper called with that row touches.
 */
function describeParams(ctx: PyContext, def: Node, f: FunctionFact, external: Set<string>, modules: Set<string>): void {
  const params: string[] = [];
  const types: (string | undefined)[] = [];
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p || p.type === 'comment') continue;
    const id = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? p.namedChildren.find((c) => c?.type === 'identifier') : p.childForFieldName('name');
    if (!id || id.type !== 'identifier') break; // *args, **kwargs, `*`, `/`: later positions cannot be told
    params.push(id.text);
    const ann = p.childForFieldName('type');
    const t = ann?.namedChildren[0] ?? ann;
    const name = t?.type === 'identifier' ? t.text : t?.type === 'string' ? stringValueOf(t) : undefined;
    types.push(name && isModelName(name) ? name : undefined);
  }
  if (!params.length) return;
  const holder = def.parent?.type === 'decorated_definition' ? def.parent : def;
  const decorators = holder === def ? [] : holder.namedChildren.filter((c) => c?.type === 'decorator').map((c) => c!.text);
  const cls = holder.parent?.type === 'block' && holder.parent.parent?.type === 'class_definition' ? holder.parent.parent : undefined;
  if (cls && !decorators.some((d) => /staticmethod/.test(d))) f.className = cls.childForFieldName('name')?.text;
  f.params = params;
  if (types.some((t) => t)) f.paramTypes = types;
  const body = def.childForFieldName('body');
  if (!body) return;
  const names = new Set(params);
  const reads: ParamRead[] = [];
  const seen = new Set<string>();
  walk(body, (n) => {
    if (n.type === 'function_definition' || n.type === 'class_definition') return false;
    if (n.type !== 'attribute') return;
    const obj = n.childForFieldName('object');
    const attr = n.childForFieldName('attribute')?.text;
    if (obj?.type !== 'identifier' || !names.has(obj.text) || !attr || attr.startsWith('_')) return;
    const parent = n.parent;
    if (parent?.type === 'call' && parent.childForFieldName('function')?.startIndex === n.startIndex) return; // a method
    if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.startIndex === n.startIndex) return;
    const key = `${obj.text}.${attr}`;
    if (seen.has(key)) return;
    seen.add(key);
    reads.push({ param: obj.text, attribute: attr, span: ctx.span(n) });
  });
  if (reads.length) f.paramReads = reads;
  const passes: ParamPass[] = [];
  for (const pc of callsPassing([body], names)) {
    const fn = pc.call.childForFieldName('function');
    const callee = pc.receiver ? fn?.childForFieldName('attribute')?.text : projectCallee(pc.call, external, modules);
    if (!callee || NOT_PROJECT.has(callee) || callee.startsWith('_')) continue;
    const pass: ParamPass = { param: pc.name, callee, to: pc.to, bound: pc.bound };
    if (pc.receiver) pass.receiver = true;
    passes.push(pass);
  }
  if (passes.length) f.paramPasses = passes;
}

function stringValueOf(n: Node): string | undefined {
  const inner = n.namedChildren.find((c) => c?.type === 'string_content');
  return inner?.text;
}

/** Local assignments per function (or module), for following a statement built in a variable. */
class Scopes {
  private readonly byScope = new Map<number, Map<string, Node[]>>();

  constructor(private readonly root: Node) {}

  private assignments(scope: Node): Map<string, Node[]> {
    let m = this.byScope.get(scope.startIndex);
    if (m) return m;
    m = new Map();
    const found = m;
    walk(scope, (n) => {
      if (n !== scope && (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda')) return false;
      if (n.type === 'assignment') {
        const left = n.childForFieldName('left');
        if (left?.type === 'identifier' && n.childForFieldName('right')) found.set(left.text, [...(found.get(left.text) ?? []), n]);
      }
    });
    this.byScope.set(scope.startIndex, m);
    return m;
  }

  private scopeOf(node: Node): Node {
    return enclosingFunction(node) ?? this.root;
  }

  /** The value last assigned to the name `id` before it is used (same function); undefined if none. */
  valueOf(id: Node): Node | undefined {
    const list = this.assignments(this.scopeOf(id)).get(id.text);
    if (!list) return undefined;
    let best: Node | undefined;
    for (const a of list) if (a.endIndex <= id.startIndex) best = a;
    return best?.childForFieldName('right') ?? undefined;
  }

  /** The value of the last assignment to `name` in the same function as `from`, at or after it. */
  lastValue(name: string, from: Node): Node | undefined {
    const list = this.assignments(this.scopeOf(from)).get(name) ?? [];
    const later = list.filter((a) => a.startIndex >= from.startIndex);
    return later[later.length - 1]?.childForFieldName('right') ?? undefined;
  }
}

/** The largest expression that extends `root` by method calls: `select(Job).where(...).limit(5)`. */
function outermostChain(root: Node): Node {
  let n = root;
  for (;;) {
    const p = n.parent;
    if (p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === n.startIndex && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.startIndex === p.startIndex) {
      n = p.parent;
      continue;
    }
    if (p?.type === 'parenthesized_expression') {
      n = p;
      continue;
    }
    return n;
  }
}

function isIterated(expr: Node): boolean {
  const p = expr.parent;
  if ((p?.type === 'for_statement' || p?.type === 'for_in_clause') && p.childForFieldName('right')?.startIndex === expr.startIndex) return true;
  if (p?.type === 'argument_list' && p.parent?.type === 'call' && ['list', 'tuple', 'sorted', 'set'].includes(calleeName(p.parent))) return true;
  return false;
}

function loopParts(loop: Node): { target?: Node; iterable?: Node; body: Node[] } {
  if (loop.type === 'for_statement') {
    const body = [loop.childForFieldName('body'), loop.childForFieldName('alternative')].filter((b): b is Node => !!b);
    return { target: loop.childForFieldName('left') ?? undefined, iterable: loop.childForFieldName('right') ?? undefined, body };
  }
  const clauses = loop.namedChildren.filter((c): c is Node => c?.type === 'for_in_clause');
  const first = clauses[0];
  if (!first || clauses.length > 1) return { body: [] };
  const body = loop.namedChildren.filter((c): c is Node => !!c && c.type !== 'for_in_clause');
  return { target: first.childForFieldName('left') ?? undefined, iterable: first.childForFieldName('right') ?? undefined, body };
}

/** The query whose rows an iterable holds: `jobs` ← `result.scalars().all()` ← `await session.execute(select(Job))`. */
function rowsSource(expr: Node, sites: Map<number, { site: QuerySite; chain?: Chain }>, scopes: Scopes, depth = 0): { site: QuerySite; chain?: Chain } | undefined {
  const n = unwrap(expr);
  if (!n || depth > 10) return undefined;
  const direct = sites.get(nodeKey(n)) ?? sites.get(nodeKey(expr));
  if (direct) return direct.site.executes ? direct : undefined;
  if (n.type === 'identifier') {
    const v = scopes.valueOf(n);
    return v ? rowsSource(v, sites, scopes, depth + 1) : undefined;
  }
  if (n.type !== 'call') return undefined;
  const callee = calleeName(n);
  if (['list', 'tuple', 'sorted', 'set'].includes(callee)) {
    const a = callArgs(n).positional[0];
    return a ? rowsSource(a, sites, scopes, depth + 1) : undefined;
  }
  const fn = n.childForFieldName('function');
  if (fn?.type === 'attribute' && RESULT_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
    const obj = fn.childForFieldName('object');
    return obj ? rowsSource(obj, sites, scopes, depth + 1) : undefined;
  }
  return undefined;
}

/** The bare name of a call that may be a project function: `load(x)`, `self.load(x)`, `services.load(x)`. */
function projectCallee(call: Node, external: Set<string>, modules: Set<string>): string | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  let name: string;
  if (fn.type === 'identifier') {
    name = fn.text;
    if (external.has(name)) return undefined;
  } else if (fn.type === 'attribute') {
    const obj = fn.childForFieldName('object');
    if (obj?.type !== 'identifier') return undefined;
    if (NOT_PROJECT_RECEIVERS.test(obj.text) || external.has(obj.text)) return undefined;
    name = fn.childForFieldName('attribute')?.text ?? '';
    // `item.method()` on a loop variable or local object is a method call we cannot resolve; only
    // `self.x`, `cls.x` and names imported from project modules count.
    if (obj.text !== 'self' && obj.text !== 'cls' && !modules.has(obj.text)) return undefined;
  } else return undefined;
  if (!name || NOT_PROJECT.has(name) || !/^[a-z_]/.test(name) || name.startsWith('__')) return undefined;
  return shortName(name);
}

/**
 * `book.available_copies()` where `book` is the item of an enclosing loop: a model method that may query
 * (merge.ts only links it when a project function of that name runs a query).
 */
function loopItemMethod(call: Node, innermost: Node): string | undefined {
  const fn = call.childForFieldName('function');
  const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  const name = fn?.childForFieldName('attribute')?.text ?? '';
  if (obj?.type !== 'identifier' || !/^[a-z_]/.test(name) || name.startsWith('_') || NOT_PROJECT.has(name)) return undefined;
  for (let loop: Node | undefined = innermost; loop; loop = innermostLoop(loop)) {
    if (targetNames(loopParts(loop).target).includes(obj.text)) return name;
  }
  return undefined;
}

/**
 * Names imported from libraries (sqlalchemy, fastapi, stdlib…), which are never project functions, and
 * names imported from elsewhere (possibly project modules: `from app.services import jobs`).
 */
function imports(root: Node): { external: Set<string>; modules: Set<string> } {
  const out = new Set<string>();
  const modules = new Set<string>();
  for (const st of root.namedChildren) {
    if (!st) continue;
    if (st.type === 'import_from_statement') {
      const mod = st.childForFieldName('module_name')?.text ?? '';
      const ext = EXTERNAL_MODULES.test(mod);
      for (const n of st.childrenForFieldName('name')) {
        if (!n) continue;
        const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text.split('.').pop();
        if (alias) (ext ? out : modules).add(alias);
      }
    } else if (st.type === 'import_statement') {
      for (const n of st.namedChildren) {
        if (!n) continue;
        const full = n.type === 'aliased_import' ? n.childForFieldName('name')?.text ?? '' : n.text;
        const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text ?? full : full.split('.')[0];
        (EXTERNAL_MODULES.test(full) ? out : modules).add(alias);
      }
    }
  }
  return { external: out, modules };
}

function nodeKey(n: Node): number {
  return n.startIndex * 1_000_003 + n.endIndex;
}

function norm(s: string): string {
  return s.replace(/_/g, '').toLowerCase();
}

function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

