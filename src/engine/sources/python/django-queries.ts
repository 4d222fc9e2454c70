import type { Node } from 'web-tree-sitter';
import { type ColumnRef, type FileFacts, type LoopRef, type Predicate, type PredicateOp, type QuerySite, querySite, rawQuerySite, type RawSql, type RelationAccess, type RowArg, type SqlConstruction } from '../../facts';
import { callArgs, calleeName, enclosingFunction, qualifiedFunctionName, shortName, stringPrefix, stringValue, walk } from './ast';
import type { PyContext } from './context';
import { callsPassing, innermostLoop, isComprehension, loopRef } from './loops';
import { classify, valueAt } from './taint';

// Django ORM query sites: `Model.objects` querysets (filter/exclude/get/order_by/…, field lookups such as
// `title__icontains`, `author__name`), eager loading (select_related / prefetch_related / Prefetch), related
// attributes read on the rows of a queryset inside a loop, uniqueness assumptions (get_or_create /
// update_or_create / .get on a lookup), raw SQL (`.raw()`, `.extra()`, `RawSQL`), and Django REST framework
// serializers that read related fields of every row of a view's queryset (same file). `cursor.execute` is
// read by the raw SQL extractor.

const LOOKUP_OPS: Record<string, PredicateOp> = {
  exact: 'eq',
  iexact: 'other',
  contains: 'like-contains',
  icontains: 'ilike-contains',
  startswith: 'like-prefix',
  istartswith: 'ilike-prefix',
  endswith: 'like-contains',
  iendswith: 'ilike-contains',
  in: 'in',
  gt: 'range',
  gte: 'range',
  lt: 'range',
  lte: 'range',
  range: 'range',
  isnull: 'null',
  regex: 'other',
  iregex: 'other',
  search: 'fulltext',
  trigram_similar: 'other',
  unaccent: 'other',
};
/** Transforms that wrap the column in a function (`created__date`, `name__lower`): no plain index serves them. */
const TRANSFORMS = new Set(['date', 'year', 'month', 'day', 'week', 'week_day', 'quarter', 'time', 'hour', 'minute', 'second', 'lower', 'upper', 'length', 'unaccent', 'iso_year', 'iso_week_day']);
const TERMINAL: Record<string, QuerySite['operation']> = {
  get: 'get',
  first: 'get',
  last: 'get',
  earliest: 'get',
  latest: 'get',
  get_or_create: 'get',
  update_or_create: 'get',
  count: 'count',
  exists: 'exists',
  contains: 'exists',
  aggregate: 'select',
  in_bulk: 'select',
  iterator: 'select',
  explain: 'select',
  create: 'insert',
  bulk_create: 'insert',
  update: 'update',
  bulk_update: 'update',
  delete: 'delete',
};
const BUILDERS = new Set(['filter', 'exclude', 'all', 'order_by', 'values', 'values_list', 'annotate', 'alias', 'distinct', 'select_related', 'prefetch_related', 'only', 'defer', 'using', 'select_for_update', 'reverse', 'none', 'union', 'intersection', 'difference', 'extra', 'dates', 'datetimes']);
const MANAGERS = new Set(['objects', '_default_manager', '_base_manager']);
/** Related-manager methods that a prefetch_related cache serves (no query when prefetched). */
const CACHED = new Set(['all', 'count', 'exists']);

interface Chain {
  model: string;
  root: Node;
  predicates: Predicate[];
  orderBy: ColumnRef[];
  eagerLoads: string[];
  joins: string[];
  limited: boolean;
  terminal?: string;
  /** Rows are model instances (not values()/values_list() dicts and tuples). */
  rows: boolean;
  /** The lookup kwargs of get/get_or_create/update_or_create and the call. */
  lookup?: { kind: 'expects-one' | 'get-or-create'; call: Node; columns: string[] | undefined };
}

const asyncBase = (m: string) => (m.length > 1 && m[0] === 'a' && (m.slice(1) in TERMINAL) ? m.slice(1) : m);
const pascal = (s: string) => s.split('_').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
const clip = (s: string) => (s.length > 500 ? s.slice(0, 500) : s);

export function extractDjangoQueries(ctx: PyContext, facts: FileFacts): void {
  if (!/\.objects\b|_default_manager|get_object_or_404|\.raw\(|\.extra\(|RawSQL|serializers?\b/.test(ctx.text) || ctx.path.includes('/migrations/')) return;
  const reader = new Reader(ctx);
  const sites = new Map<number, { site: QuerySite; chain: Chain; node: Node }>();

  // 1. Querysets: every maximal chain rooted at `Model.objects` (or a variable holding one).
  walk(ctx.root, (n) => {
    let start: Node | undefined;
    if (n.type === 'attribute' && MANAGERS.has(n.childForFieldName('attribute')?.text ?? '') && /^[A-Z]\w*$/.test(n.childForFieldName('object')?.text ?? '')) start = n;
    else if (n.type === 'call' && /^(get_object_or_404|get_list_or_404)$/.test(calleeName(n))) start = n;
    if (!start) return;
    const outer = outermost(start);
    if (sites.has(outer.startIndex)) return;
    const chain = reader.read(outer);
    if (!chain || (outer === start && start.type === 'attribute')) return;
    sites.set(outer.startIndex, { site: makeSite(ctx, outer, chain), chain, node: outer });
  });
  // Chains that continue a variable (`qs = qs.filter(...)`, `qs.count()`).
  walk(ctx.root, (n) => {
    if (n.type !== 'identifier' || sites.has(n.startIndex)) return;
    const p = n.parent;
    if (p?.type !== 'attribute' || p.childForFieldName('object')?.startIndex !== n.startIndex) return;
    const m = p.childForFieldName('attribute')?.text ?? '';
    if (!BUILDERS.has(m) && !(asyncBase(m) in TERMINAL)) return;
    const outer = outermost(n);
    if (outer === n || sites.has(outer.startIndex)) return;
    const chain = reader.read(outer);
    if (chain) sites.set(outer.startIndex, { site: makeSite(ctx, outer, chain), chain, node: outer });
  });

  // A queryset executes when a terminal method runs or when it is iterated / list()-ed / len()-ed.
  for (const s of sites.values()) if (s.chain.terminal || isEvaluated(s.node)) s.site.executes = true;
  const siteOfExpr = (expr: Node | undefined | null, depth = 0): { site: QuerySite; chain: Chain } | undefined => {
    if (!expr || depth > 3) return undefined;
    if (expr.type === 'parenthesized_expression') return siteOfExpr(expr.namedChildren[0], depth + 1);
    const direct = sites.get(expr.startIndex);
    if (direct && direct.node.endIndex === expr.endIndex) return direct;
    if (expr.type === 'identifier') {
      const v = valueAt(expr.text, expr);
      return v && !v.appends.length ? siteOfExpr(v.value, depth + 1) : undefined;
    }
    return undefined;
  };
  walk(ctx.root, (n) => {
    if (n.type !== 'identifier') return;
    const p = n.parent;
    const iterated = ((p?.type === 'for_statement' || p?.type === 'for_in_clause') && p.childForFieldName('right')?.startIndex === n.startIndex) ||
      (p?.type === 'argument_list' && p.parent?.type === 'call' && ['list', 'len', 'tuple', 'sorted', 'set', 'bool'].includes(calleeName(p.parent)));
    if (!iterated) return;
    const s = siteOfExpr(n);
    if (s && !s.site.loop) s.site.executes = true;
  });
  for (const s of sites.values()) facts.queries.push(s.site);

  // 2. Related attributes read on each row inside a loop over a queryset.
  const accessesByLoop: Node[] = [];
  walk(ctx.root, (n) => {
    if (n.type === 'for_statement' || isComprehension(n)) accessesByLoop.push(n);
  });
  for (const loop of accessesByLoop) {
    const { target, iterable, body } = loopParts(loop);
    if (!iterable || target?.type !== 'identifier') continue;
    const ref = loopRef(ctx, loop);
    const fn = enclosingFunction(loop);
    const functionName = fn ? qualifiedFunctionName(fn, ctx.path) : undefined;
    const src = siteOfExpr(iterable);
    if (!src || !src.chain.rows || src.chain.terminal && !['iterator'].includes(src.chain.terminal)) {
      // `for i in order.items.all()` over the related rows of one loaded object: reads on `i` are
      // relations of the relationship's target (merge.ts resolves it), eager when the object's query
      // prefetched "items__…".
      const rel = relatedRowsOf(iterable, siteOfExpr);
      if (!rel) continue;
      const prefix = `${rel.relationship}.`;
      const eagerLoads = rel.src.chain.eagerLoads.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length));
      const from = facts.relationAccesses.length;
      readRowAccesses(ctx, facts, target.text, body, rel.src.site, { ...rel.src.chain, eagerLoads: [...eagerLoads, ...rel.eagerLoads] }, ref, functionName);
      for (const a of facts.relationAccesses.slice(from)) a.through = rel.relationship;
      continue;
    }
    readRowAccesses(ctx, facts, target.text, body, src.site, src.chain, ref, functionName);
    // Rows handed to project functions called in the loop (merge.ts follows them into the callee).
    for (const rc of callsPassing(body, new Set([target.text]))) {
      const start = ctx.span(rc.call).start;
      const c = facts.callsInLoops.find((x) => x.span.file === ctx.path && x.span.start === start);
      if (!c) continue;
      const arg: RowArg = { to: rc.to, bound: rc.bound, model: src.chain.model, loop: ref, loadedBy: src.site.id, eagerLoads: src.chain.eagerLoads };
      if (rc.receiver) arg.receiver = true;
      c.rowArgs = [...(c.rowArgs ?? []), arg];
    }
  }

  // 3. Uniqueness assumptions: get_or_create / update_or_create / .get(...) / get_object_or_404 by a lookup.
  for (const { site, chain } of sites.values()) {
    const l = chain.lookup;
    if (!l?.columns?.length) continue;
    const cols = l.columns.filter((c) => c !== 'pk' && c !== 'id');
    if (cols.length !== l.columns.length) continue;
    facts.uniquenessAssumptions.push({ span: ctx.span(l.call), kind: l.kind, model: chain.model, columns: cols, code: clip(l.call.text), functionName: site.functionName });
  }

  // 4. Raw SQL through the ORM.
  rawSql(ctx, facts);

  // 5. DRF serializers that read related fields of each row of a view's queryset (same file).
  serializers(ctx, facts, [...sites.values()]);
}

function makeSite(ctx: PyContext, node: Node, chain: Chain): QuerySite {
  const loop = innermostLoop(node);
  const def = enclosingFunction(node);
  const op = chain.terminal ? TERMINAL[chain.terminal] : 'select';
  const site = querySite({
    id: `${ctx.path}:${node.startIndex}`,
    span: ctx.span(node),
    orm: 'django',
    operation: op,
    executes: false,
    models: [chain.model],
    predicates: chain.predicates,
    orderBy: chain.orderBy,
    eagerLoads: chain.eagerLoads,
    joins: chain.joins,
    limited: chain.limited,
    code: clip(node.text),
    rootSpan: ctx.span(chain.root),
  });
  if (loop) site.loop = loopRef(ctx, loop);
  if (def) site.functionName = qualifiedFunctionName(def, ctx.path);
  return site;
}

/** The largest expression that extends `n` by method calls and slices. */
function outermost(n: Node): Node {
  let cur = n;
  for (;;) {
    const p = cur.parent;
    if (p?.type === 'attribute' && p.childForFieldName('object')?.startIndex === cur.startIndex && p.parent?.type === 'call' && p.parent.childForFieldName('function')?.startIndex === p.startIndex) {
      cur = p.parent;
      continue;
    }
    if (p?.type === 'subscript' && p.childForFieldName('value')?.startIndex === cur.startIndex) {
      cur = p;
      continue;
    }
    return cur;
  }
}

function isEvaluated(expr: Node): boolean {
  const p = expr.parent;
  if ((p?.type === 'for_statement' || p?.type === 'for_in_clause') && p.childForFieldName('right')?.startIndex === expr.startIndex) return true;
  if (p?.type === 'argument_list' && p.parent?.type === 'call' && ['list', 'len', 'tuple', 'sorted', 'set', 'bool'].includes(calleeName(p.parent))) return true;
  return false;
}

class Reader {
  constructor(private readonly ctx: PyContext) {}

  read(n: Node, depth = 0): Chain | undefined {
    if (depth > 30) return undefined;
    if (n.type === 'parenthesized_expression') return n.namedChildren[0] ? this.read(n.namedChildren[0], depth + 1) : undefined;
    if (n.type === 'attribute') {
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text ?? '';
      if (obj?.type === 'identifier' && /^[A-Z]\w*$/.test(obj.text) && MANAGERS.has(attr)) return this.fresh(obj.text, n);
      return undefined;
    }
    if (n.type === 'identifier') {
      const v = valueAt(n.text, n);
      if (!v || v.appends.length || v.value.startIndex === n.startIndex) return undefined;
      const c = this.read(v.value, depth + 1);
      // A copy: the variable's own site keeps its facts.
      return c && { ...c, predicates: [...c.predicates], orderBy: [...c.orderBy], eagerLoads: [...c.eagerLoads], joins: [...c.joins], terminal: undefined, lookup: undefined };
    }
    if (n.type === 'subscript') {
      const base = this.read(n.childForFieldName('value')!, depth + 1);
      if (!base || base.terminal) return undefined;
      base.limited = true;
      return base;
    }
    if (n.type !== 'call') return undefined;
    const callee = calleeName(n);
    if (callee === 'get_object_or_404' || callee === 'get_list_or_404') {
      const args = callArgs(n);
      const m = args.positional[0];
      const c = m?.type === 'identifier' && /^[A-Z]/.test(m.text) ? this.fresh(m.text, n) : m ? this.read(m, depth + 1) : undefined;
      if (!c) return undefined;
      this.apply(c, callee === 'get_object_or_404' ? 'get' : 'filter', n, 1);
      return c;
    }
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = asyncBase(fn.childForFieldName('attribute')?.text ?? '');
    if (!BUILDERS.has(method) && !(method in TERMINAL)) return undefined;
    const base = this.read(fn.childForFieldName('object')!, depth + 1);
    if (!base || base.terminal) return undefined;
    this.apply(base, method, n);
    return base;
  }

  private fresh(model: string, root: Node): Chain {
    return { model, root, predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: false, rows: true };
  }

  /** `skip` leading positional arguments are not lookups (the model of get_object_or_404). */
  private apply(c: Chain, method: string, call: Node, skip = 0): void {
    const all = callArgs(call);
    const args = { ...all, positional: all.positional.slice(skip) };
    switch (method) {
      case 'filter':
      case 'exclude':
      case 'get':
      case 'get_or_create':
      case 'update_or_create':
      case 'exists':
      case 'count': {
        const negate = method === 'exclude';
        const before = c.predicates.length;
        for (const a of args.positional) this.q(c, a, negate);
        for (const [k, v] of args.keywords) {
          if (method.endsWith('_or_create') && (k === 'defaults' || k === 'create_defaults')) continue;
          this.lookup(c, k, v, negate);
        }
        if (method === 'get' || method.endsWith('_or_create')) {
          const added = c.predicates.slice(before);
          const simple = !args.hasSplat && !args.positional.length && added.every((p) => p.op === 'eq' || p.op === 'null') && added.length === [...args.keywords.keys()].filter((k) => k !== 'defaults' && k !== 'create_defaults').length;
          const cols = [...c.predicates.filter((p) => p.op === 'eq' && p.model === c.model && !p.expression).map((p) => p.column)];
          c.lookup = { kind: method === 'get' ? 'expects-one' : 'get-or-create', call, columns: simple && cols.length ? [...new Set(cols)] : undefined };
        }
        break;
      }
      case 'order_by':
        for (const a of args.positional) {
          const s = stringValue(a);
          const col = s?.replace(/^[-+]/, '');
          if (col && /^[A-Za-z_]\w*$/.test(col)) c.orderBy.push({ model: c.model, column: col === 'pk' ? 'id' : col, span: this.ctx.span(a) });
        }
        break;
      case 'select_related':
        if (!args.positional.length) c.eagerLoads.push('*');
        for (const a of args.positional) c.eagerLoads.push(...paths(stringValue(a)));
        break;
      case 'prefetch_related':
        for (const a of args.positional) {
          const s = stringValue(a);
          if (s !== undefined) c.eagerLoads.push(...paths(s));
          else if (a.type === 'call' && shortName(calleeName(a)) === 'Prefetch') {
            const pa = callArgs(a);
            c.eagerLoads.push(...paths(stringValue(pa.positional[0] ?? pa.keywords.get('lookup'))));
            const to = stringValue(pa.keywords.get('to_attr'));
            if (to) c.eagerLoads.push(to);
          } else c.eagerLoads.push('*');
        }
        break;
      case 'values':
      case 'values_list':
        c.rows = false;
        break;
    }
    if (method === 'first' || method === 'last' || method === 'get' || method === 'earliest' || method === 'latest' || method === 'exists') c.limited = true;
    if (method in TERMINAL) c.terminal = method;
    c.eagerLoads = [...new Set(c.eagerLoads)];
  }

  /** `Q(a=1) | Q(b__gte=2)`, `~Q(...)`: the lookups inside (negated ones are not index-friendly equality). */
  private q(c: Chain, n: Node, negate: boolean): void {
    if (n.type === 'parenthesized_expression') return n.namedChildren[0] ? this.q(c, n.namedChildren[0], negate) : undefined;
    if (n.type === 'binary_operator') {
      for (const side of [n.childForFieldName('left'), n.childForFieldName('right')]) if (side) this.q(c, side, negate);
      return;
    }
    if (n.type === 'unary_operator' && n.childForFieldName('operator')?.text === '~') {
      const a = n.childForFieldName('argument');
      if (a) this.q(c, a, true);
      return;
    }
    if (n.type === 'call' && shortName(calleeName(n)) === 'Q') {
      const args = callArgs(n);
      for (const a of args.positional) this.q(c, a, negate);
      for (const [k, v] of args.keywords) this.lookup(c, k, v, negate);
    }
  }

  private lookup(c: Chain, key: string, value: Node, negate: boolean): void {
    const segs = key.split('__');
    let op: PredicateOp = 'eq';
    let expression: string | undefined;
    const last = segs[segs.length - 1];
    if (segs.length > 1 && last in LOOKUP_OPS) {
      op = LOOKUP_OPS[segs.pop()!];
      if (last === 'iexact') expression = 'upper';
    }
    while (segs.length > 1 && TRANSFORMS.has(segs[segs.length - 1])) {
      expression = segs.pop();
      if (op === 'eq' || op === 'range' || op === 'in') op = 'other';
    }
    if (op === 'eq' && value.type === 'none') op = 'null';
    if (negate && op !== 'like-contains' && op !== 'ilike-contains' && op !== 'ilike-prefix' && op !== 'like-prefix') op = 'other';
    let model = c.model;
    let column = segs[0] === 'pk' ? 'id' : segs[0];
    if (segs.length === 2 && (segs[1] === 'id' || segs[1] === 'pk')) {
      // `author__id=…` reads the key column on this table (`author_id`).
      c.joins = c.joins.filter((j) => j !== segs[0]);
    } else if (segs.length >= 2) {
      // A lookup across a relation joins the related table; the column belongs to the related model,
      // named by Django's convention (`author` → Author). Only the first hop is followed.
      if (!c.joins.includes(segs[0])) c.joins.push(segs[0]);
      if (segs.length > 2) return;
      model = pascal(segs[0]);
      column = segs[1] === 'pk' ? 'id' : segs[1];
    }
    const nameNode = value.parent?.type === 'keyword_argument' ? value.parent.childForFieldName('name') ?? value : value;
    const p: Predicate = { model, column, op, span: this.ctx.span(nameNode) };
    if (expression) p.expression = expression;
    c.predicates.push(p);
  }
}

/** Single-object terminals: the variable holds one model instance. */
const ONE_OBJECT = new Set(['get', 'first', 'last', 'earliest', 'latest']);

/**
 * `order.items.all()` (optionally `.select_related(...)`/`.prefetch_related(...)`, whose loads count as
 * eager) where `order` holds one object loaded by a query of this file: the relationship and that query.
 */
function relatedRowsOf(
  iterable: Node,
  siteOfExpr: (n: Node) => { site: QuerySite; chain: Chain } | undefined,
): { relationship: string; eagerLoads: string[]; src: { site: QuerySite; chain: Chain } } | undefined {
  const eagerLoads: string[] = [];
  let n: Node | undefined = iterable;
  let sawAll = false;
  for (let i = 0; i < 4 && n?.type === 'call'; i++) {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (method === 'all') sawAll = true;
    else if (method === 'select_related' || method === 'prefetch_related') {
      for (const a of callArgs(n).positional) eagerLoads.push(...paths(stringValue(a)));
    } else return undefined;
    n = fn.childForFieldName('object') ?? undefined;
  }
  if (!n || n.type !== 'attribute' || (!sawAll && !eagerLoads.length)) return undefined;
  const obj = n.childForFieldName('object');
  const relationship = n.childForFieldName('attribute')?.text;
  if (obj?.type !== 'identifier' || !relationship || MANAGERS.has(relationship)) return undefined;
  const src = siteOfExpr(obj);
  if (!src || !src.chain.rows || !src.chain.terminal || !ONE_OBJECT.has(src.chain.terminal)) return undefined;
  return { relationship, eagerLoads, src };
}

/** `author__publisher` → ["author", "author.publisher"]. */
function paths(s: string | undefined): string[] {
  if (!s) return [];
  const segs = s.split('__');
  return segs.map((_, i) => segs.slice(0, i + 1).join('.'));
}

function loopParts(loop: Node): { target?: Node; iterable?: Node; body: Node[] } {
  if (loop.type === 'for_statement') {
    const body = [loop.childForFieldName('body'), loop.childForFieldName('alternative')].filter((b): b is Node => !!b);
    return { target: loop.childForFieldName('left') ?? undefined, iterable: loop.childForFieldName('right') ?? undefined, body };
  }
  const clauses = loop.namedChildren.filter((c): c is Node => c?.type === 'for_in_clause');
  const first = clauses[0];
  if (!first || clauses.length > 1) return { body: [] };
  return { target: first.childForFieldName('left') ?? undefined, iterable: first.childForFieldName('right') ?? undefined, body: loop.namedChildren.filter((c): c is Node => !!c && c.type !== 'for_in_clause') };
}

const QUERY_METHODS = new Set([...BUILDERS, ...Object.keys(TERMINAL)].filter((m) => !CACHED.has(m)));

/** Reads `item.rel` (and `item.rel_set.all()`) on the loop variable `name`. */
function readRowAccesses(ctx: PyContext, facts: FileFacts, name: string, body: Node[], site: QuerySite, chain: Chain, loop: LoopRef, functionName: string | undefined): void {
  const seen = new Set<string>();
  for (const part of body) {
    walk(part, (n) => {
      if (n.type === 'function_definition' || n.type === 'lambda') return false;
      if (n.type !== 'attribute') return;
      const obj = n.childForFieldName('object');
      const attr = n.childForFieldName('attribute')?.text;
      if (obj?.type !== 'identifier' || obj.text !== name || !attr || attr.startsWith('_') || /_id$/.test(attr) || attr === 'pk' || attr === 'id') return;
      const parent = n.parent;
      if (parent?.type === 'call' && parent.childForFieldName('function')?.startIndex === n.startIndex) return; // item.save()
      if ((parent?.type === 'assignment' || parent?.type === 'augmented_assignment') && parent.childForFieldName('left')?.startIndex === n.startIndex) return;
      // `item.books.filter(...)`: a new query per row, whatever was prefetched.
      const method = parent?.type === 'attribute' && parent.parent?.type === 'call' ? parent.childForFieldName('attribute')?.text ?? '' : '';
      if (method && QUERY_METHODS.has(asyncBase(method)) && !CACHED.has(method)) {
        const call = parent!.parent!;
        const key = `q:${call.startIndex}`;
        if (seen.has(key)) return;
        seen.add(key);
        const outer = outermost(call);
        const q = querySite({
          id: `${ctx.path}:${outer.startIndex}`,
          span: ctx.span(outer),
          orm: 'django',
          operation: method in TERMINAL ? TERMINAL[method] : 'select',
          executes: true,
          loop,
          code: clip(outer.text),
        });
        if (functionName) q.functionName = functionName;
        if (!facts.queries.some((x) => x.id === q.id)) facts.queries.push(q);
        return;
      }
      if (seen.has(attr)) return;
      seen.add(attr);
      const eager = chain.eagerLoads.includes('*') || chain.eagerLoads.includes(attr);
      const access: RelationAccess = { span: ctx.span(n), model: chain.model, relationship: attr, loop, loadedBy: site.id, eagerLoaded: eager };
      if (functionName) access.functionName = functionName;
      facts.relationAccesses.push(access);
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Raw SQL: Model.objects.raw(sql, params), .extra(where=[...], select={...}, params=[...]), RawSQL(sql, params).

function rawSql(ctx: PyContext, facts: FileFacts): void {
  for (const call of ctx.root.descendantsOfType('call')) {
    if (!call) continue;
    const fn = call.childForFieldName('function');
    const args = callArgs(call);
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    const name = calleeName(call);
    const sqlNodes: Node[] = [];
    let parameterized = false;
    if (method === 'raw' && fn && /\.objects$|_default_manager$/.test(fn.childForFieldName('object')?.text ?? '')) {
      const s = args.positional[0] ?? args.keywords.get('raw_query');
      if (s) sqlNodes.push(s);
      parameterized = args.positional.length > 1 || args.keywords.has('params');
    } else if (method === 'extra' && fn) {
      for (const k of ['where', 'select', 'tables', 'order_by']) {
        const v = args.keywords.get(k);
        if (!v) continue;
        if (v.type === 'list' || v.type === 'tuple') sqlNodes.push(...v.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment'));
        else if (v.type === 'dictionary') for (const p of v.namedChildren) if (p?.type === 'pair' && p.childForFieldName('value')) sqlNodes.push(p.childForFieldName('value')!);
      }
      parameterized = args.keywords.has('params') || args.keywords.has('select_params');
    } else if (shortName(name) === 'RawSQL' && /RawSQL/.test(ctx.text)) {
      if (args.positional[0]) sqlNodes.push(args.positional[0]);
      parameterized = args.positional.length > 1 || args.keywords.has('params');
    } else continue;
    for (const node of sqlNodes) {
      const sql = buildSql(ctx, node, parameterized);
      const loop = innermostLoop(call);
      const def = enclosingFunction(call);
      const span = ctx.span(call);
      const site = rawQuerySite({
        id: `${ctx.path}:${call.startIndex}${sqlNodes.length > 1 ? `:${node.startIndex}` : ''}`,
        span,
        orm: 'django',
        executes: method === 'raw',
        sql,
        code: clip(call.text),
      });
      if (loop) site.loop = loopRef(ctx, loop);
      if (def) site.functionName = qualifiedFunctionName(def, ctx.path);
      facts.queries.push(site);
    }
  }
}

/** How a SQL string was built, with the pasted values classified (constants and allow-listed values are safe). */
function buildSql(ctx: PyContext, node: Node, parameterized: boolean, depth = 0): RawSql {
  const base = { parameterized, span: ctx.span(node) };
  if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return { ...buildSql(ctx, node.namedChildren[0], parameterized, depth + 1), span: ctx.span(node) };
  const interp = (ns: Node[], construction: SqlConstruction, text?: string): RawSql => ({
    ...base,
    text,
    construction,
    interpolations: ns.map((n) => {
      const s = classify(n);
      return { span: ctx.span(n), expr: n.text, safe: s.safe, reason: s.reason };
    }),
  });
  const literal = stringValue(node);
  if (literal !== undefined) return interp([], 'literal', literal);
  if (node.type === 'string' && stringPrefix(node).includes('f')) {
    const ns = node.namedChildren.filter((c): c is Node => c?.type === 'interpolation').map((c) => c.namedChildren[0]).filter((c): c is Node => !!c);
    let i = 0;
    const text = node.namedChildren.map((c) => (c?.type === 'string_content' ? c.text : c?.type === 'interpolation' ? `$${++i}` : '')).join('');
    return interp(ns, 'fstring', text);
  }
  if (node.type === 'binary_operator') {
    const op = node.childForFieldName('operator')?.text;
    const l = node.childForFieldName('left');
    const r = node.childForFieldName('right');
    if (op === '%' && l && r && stringValue(l) !== undefined) {
      const vals = r.type === 'tuple' ? r.namedChildren.filter((c): c is Node => !!c) : [r];
      return interp(vals, 'percent');
    }
    if (op === '+' && l && r) {
      const operands: Node[] = [];
      const flat = (x: Node) => {
        if (x.type === 'binary_operator' && x.childForFieldName('operator')?.text === '+') {
          flat(x.childForFieldName('left')!);
          flat(x.childForFieldName('right')!);
        } else operands.push(x);
      };
      flat(node);
      return interp(operands.filter((o) => stringValue(o) === undefined), 'concat');
    }
  }
  if (node.type === 'call') {
    const fn = node.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format' && stringValue(fn.childForFieldName('object')) !== undefined) {
      const a = callArgs(node);
      return interp([...a.positional, ...a.keywords.values()], 'format');
    }
  }
  if (node.type === 'identifier' && depth < 3) {
    const v = valueAt(node.text, node);
    if (v && !v.appends.length) return { ...buildSql(ctx, v.value, parameterized, depth + 1), span: ctx.span(node) };
    return { ...base, construction: 'variable', interpolations: [] };
  }
  return { ...base, construction: 'unknown', interpolations: [] };
}

// ---------------------------------------------------------------------------------------------------
// Django REST framework: a serializer that reads related fields of each object it serializes, used by a
// list view (or `Serializer(qs, many=True)`) whose queryset does not eager-load them. Same file only.

interface SerializerInfo {
  model?: string;
  reads: { relationship: string; node: Node }[];
}

/** Relational fields that query per object (a PK field only reads the `_id` column, unless many=True). */
const QUERYING_FIELDS = /^(StringRelatedField|SlugRelatedField|HyperlinkedIdentityField)$/;
const LIST_VIEWS = /(ModelViewSet|ReadOnlyModelViewSet|ListAPIView|ListCreateAPIView|GenericViewSet|ListModelMixin|ListView)$/;

function serializers(ctx: PyContext, facts: FileFacts, sites: { site: QuerySite; chain: Chain; node: Node }[]): void {
  if (!/serializers?\b/.test(ctx.text)) return;
  const classes = ctx.root.namedChildren.filter((n): n is Node => n?.type === 'class_definition');
  const infos = new Map<string, SerializerInfo>();
  const serializerNames = new Set(classes.filter((c) => /Serializer\b/.test(c.childForFieldName('superclasses')?.text ?? '')).map((c) => c.childForFieldName('name')!.text));
  for (const c of classes) {
    const name = c.childForFieldName('name')!.text;
    if (!serializerNames.has(name)) continue;
    const info: SerializerInfo = { reads: [] };
    for (const s of c.childForFieldName('body')?.namedChildren ?? []) {
      if (!s) continue;
      if (s.type === 'class_definition' && s.childForFieldName('name')?.text === 'Meta') {
        for (const m of s.childForFieldName('body')?.namedChildren ?? []) {
          const a = m?.namedChildren[0];
          if (a?.type === 'assignment' && a.childForFieldName('left')?.text === 'model') info.model = a.childForFieldName('right')?.text;
        }
        continue;
      }
      if (s.type === 'function_definition') {
        // SerializerMethodField getters: `def get_x(self, obj): return obj.author.name`.
        const fname = s.childForFieldName('name')?.text ?? '';
        const params = s.childForFieldName('parameters')?.namedChildren.filter((p): p is Node => !!p) ?? [];
        const objName = params[1]?.type === 'identifier' ? params[1].text : undefined;
        if (!fname.startsWith('get_') || !objName) continue;
        walk(s, (n) => {
          if (n.type !== 'attribute' || n.childForFieldName('object')?.text !== objName) return;
          const attr = n.childForFieldName('attribute')?.text ?? '';
          const p = n.parent;
          if (!attr || attr.startsWith('_') || /_id$/.test(attr) || (p?.type === 'call' && p.childForFieldName('function')?.startIndex === n.startIndex)) return;
          info.reads.push({ relationship: attr, node: n });
        });
        continue;
      }
      const a = s.type === 'expression_statement' ? s.namedChildren[0] : undefined;
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : undefined;
      const right = a?.childForFieldName('right');
      if (left?.type !== 'identifier' || right?.type !== 'call') continue;
      const kind = shortName(calleeName(right));
      const args = callArgs(right);
      const source = stringValue(args.keywords.get('source'));
      const many = args.keywords.get('many')?.type === 'true';
      if (source?.includes('.')) info.reads.push({ relationship: source.split('.')[0], node: s });
      else if (serializerNames.has(kind) || /Serializer$/.test(kind) || QUERYING_FIELDS.test(kind) || (many && /RelatedField$/.test(kind))) info.reads.push({ relationship: source ?? left.text, node: s });
    }
    infos.set(name, info);
  }
  if (![...infos.values()].some((i) => i.reads.length)) return;

  const emit = (serializer: string, site: QuerySite, chain: Chain, loop: LoopRef, functionName?: string) => {
    const info = infos.get(serializer);
    if (!info || (info.model && info.model !== chain.model)) return;
    const seen = new Set<string>();
    for (const r of info.reads) {
      if (seen.has(r.relationship)) continue;
      seen.add(r.relationship);
      const a: RelationAccess = { span: ctx.span(r.node), model: chain.model, relationship: r.relationship, loop, loadedBy: site.id, eagerLoaded: chain.eagerLoads.includes('*') || chain.eagerLoads.includes(r.relationship) };
      if (functionName) a.functionName = functionName;
      facts.relationAccesses.push(a);
    }
  };
  const siteAt = (n: Node | undefined) => (n ? sites.find((s) => s.node.startIndex === n.startIndex && s.node.endIndex === n.endIndex) : undefined);

  // Views: `queryset = Book.objects...` (or `def get_queryset(self): return ...`) with `serializer_class = S`.
  for (const c of classes) {
    const bases = c.childForFieldName('superclasses')?.text ?? '';
    if (!bases.split(/[,()\s]+/).some((b) => LIST_VIEWS.test(b))) continue;
    let qs: Node | undefined;
    let serializer: string | undefined;
    for (const s of c.childForFieldName('body')?.namedChildren ?? []) {
      const a = s?.type === 'expression_statement' ? s.namedChildren[0] : undefined;
      if (a?.type === 'assignment') {
        const k = a.childForFieldName('left')?.text;
        if (k === 'queryset') qs = a.childForFieldName('right') ?? undefined;
        if (k === 'serializer_class') serializer = a.childForFieldName('right')?.text;
      } else if (s?.type === 'function_definition' && s.childForFieldName('name')?.text === 'get_queryset') {
        const ret = s.descendantsOfType('return_statement').map((r) => r?.namedChildren[0]).find((x) => x && siteAt(x));
        if (ret) qs = ret;
      }
    }
    const src = siteAt(qs);
    if (!src || !serializer) continue;
    const loop: LoopRef = { span: src.site.span, kind: 'for', iterable: `${c.childForFieldName('name')!.text} list (${serializer}, many=True)` };
    emit(serializer, src.site, src.chain, loop, qualifiedFunctionName(c, ctx.path));
  }
  // Function views: `BookSerializer(qs, many=True)`.
  for (const call of ctx.root.descendantsOfType('call')) {
    if (!call || !infos.has(calleeName(call))) continue;
    const args = callArgs(call);
    if (args.keywords.get('many')?.type !== 'true' || !args.positional[0]) continue;
    let arg: Node | undefined = args.positional[0];
    if (arg.type === 'identifier') arg = valueAt(arg.text, arg)?.value;
    const src = siteAt(arg);
    if (!src) continue;
    const def = enclosingFunction(call);
    emit(calleeName(call), src.site, src.chain, { span: ctx.span(call), kind: 'for', iterable: `${calleeName(call)}(…, many=True)` }, def ? qualifiedFunctionName(def, ctx.path) : undefined);
  }
}
