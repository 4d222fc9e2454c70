import type { Node } from 'web-tree-sitter';
import type { ColumnRef, Predicate, PredicateOp, QuerySite } from '../../facts';
import { callArgs, calleeName, dottedName, shortName, stringPrefix, stringValue } from './ast';
import type { PyContext } from './context';

// Reads one SQLAlchemy statement: a `select(...)` / `update(...)` / `delete(...)` chain (2.0 style) or a
// legacy `session.query(...)` / `Model.query` chain, following simple local assignments of the statement
// (`stmt = select(Job)`, then `stmt = stmt.where(...)`) within the enclosing function.

export interface Chain {
  kind: 'select' | 'write' | 'legacy';
  operation: QuerySite['operation'];
  /** The root call/attribute: `select(Job)`, `session.query(Job)`, `Job.query`. */
  root: Node;
  models: string[];
  /** Whole entities the statement returns, in order (`select(Job, Company)` → [Job, Company]); rows are tuples when > 1. */
  entities: string[];
  predicates: Predicate[];
  orderBy: ColumnRef[];
  eagerLoads: string[];
  joins: string[];
  limited: boolean;
  /** Legacy terminal method (`all`, `first`, …) when the chain ends with one. */
  terminal?: string;
  /**
   * A dynamic relationship's query (`member.loans.filter(...).all()`, lazy="dynamic"): its model is only
   * known from the columns it names, so it counts only when one is named.
   */
  dynamic?: boolean;
}

/** Resolves a local name at a use site to the value last assigned to it before that use (same function). */
export type Resolver = (name: Node) => Node | undefined;

const SELECT_CALLEES = new Set(['select', 'sa.select', 'sqlalchemy.select', 'db.select', 'sql.select', 'future.select', 'sqlalchemy.future.select']);
const WRITE_CALLEES: Record<string, QuerySite['operation']> = { update: 'update', delete: 'delete', insert: 'insert' };
export const LEGACY_TERMINALS = new Set(['all', 'first', 'one', 'one_or_none', 'scalar', 'count', 'get', 'paginate', 'first_or_404', 'get_or_404', 'one_or_404', 'delete', 'update', 'exists']);
/** Query methods that, called on a relationship attribute, mark it as a dynamic relationship's query. */
const DYNAMIC_METHODS = new Set(['filter', 'filter_by', 'order_by']);
const LIMITING = new Set(['limit', 'first', 'one', 'one_or_none', 'get', 'paginate', 'first_or_404', 'get_or_404', 'one_or_404', 'slice', 'scalar', 'fetch']);
const LOADERS = new Set(['selectinload', 'joinedload', 'subqueryload', 'contains_eager', 'raiseload', 'noload', 'immediateload', 'defaultload', 'lazyload', 'selectin_polymorphic']);
/** Loader options after which touching the relationship does not issue a query per row. */
const EAGER = new Set(['selectinload', 'joinedload', 'subqueryload', 'contains_eager', 'raiseload', 'noload', 'immediateload']);

export function isModelName(s: string): boolean {
  return /^[A-Z][A-Za-z0-9_]*$/.test(s) && /[a-z]/.test(s);
}

export function unwrap(node: Node | null | undefined): Node | undefined {
  let n = node ?? undefined;
  while (n && (n.type === 'parenthesized_expression' || n.type === 'await')) n = n.namedChildren.find((c) => c && c.type !== 'comment') ?? undefined;
  return n;
}

/** `Job` → "Job"; `models.Job` → "Job"; otherwise undefined. */
function modelOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return isModelName(node.text) ? node.text : undefined;
  if (node.type === 'attribute') {
    const attr = node.childForFieldName('attribute')?.text ?? '';
    const obj = node.childForFieldName('object');
    return isModelName(attr) && obj && dottedName(obj) && !isModelName(obj.text) ? attr : undefined;
  }
  return undefined;
}

interface ColRef {
  model: string;
  column: string;
  node: Node;
  expression?: string;
}

/** `Job.status` (or `func.lower(User.email)`, `cast(Job.x, …)`) → the column it names. */
export function columnRef(node: Node | null | undefined): ColRef | undefined {
  const n = unwrap(node);
  if (!n) return undefined;
  if (n.type === 'attribute') {
    const model = modelOf(n.childForFieldName('object') ?? undefined);
    const attr = n.childForFieldName('attribute')?.text;
    if (model && attr && !attr.startsWith('_') && attr !== 'query' && attr !== 'c') return { model, column: attr, node: n };
    return undefined;
  }
  if (n.type === 'call') {
    const name = calleeName(n);
    const fn = shortName(name);
    if (/(^|\.)func\./.test(name) || name === 'cast' || name === 'sa.cast' || name === 'lower' || name === 'upper') {
      const inner = columnRef(callArgs(n).positional[0]);
      if (inner) return { ...inner, node: inner.node, expression: inner.expression ? `${fn}(${inner.expression})` : fn.toLowerCase() };
    }
  }
  return undefined;
}

export class ChainReader {
  constructor(
    private readonly ctx: PyContext,
    private readonly resolve: Resolver,
    /** Every root and assignment value visited, so statements executed elsewhere are not reported twice. */
    readonly consumed: Set<number>,
  ) {}

  /** The statement an expression builds, or undefined when it is not a recognisable query. */
  read(expr: Node | null | undefined, depth = 0): Chain | undefined {
    const n = unwrap(expr);
    if (!n || depth > 40) return undefined;
    if (n.type === 'identifier') {
      const v = this.resolve(n);
      if (!v) return undefined;
      const c = this.read(v, depth + 1);
      if (c) this.consumed.add(v.startIndex);
      return c && { ...c, predicates: [...c.predicates], orderBy: [...c.orderBy], eagerLoads: [...c.eagerLoads], joins: [...c.joins], models: [...c.models], entities: [...c.entities] };
    }
    if (n.type === 'attribute') {
      // Flask-SQLAlchemy: `Job.query`.
      const obj = n.childForFieldName('object');
      if (n.childForFieldName('attribute')?.text === 'query' && obj && modelOf(obj)) {
        this.consumed.add(n.startIndex);
        const m = modelOf(obj)!;
        return this.fresh('legacy', 'select', n, [m], [m]);
      }
      return undefined;
    }
    if (n.type !== 'call') return undefined;
    const callee = calleeName(n);
    const args = callArgs(n);
    if (SELECT_CALLEES.has(callee)) {
      this.consumed.add(n.startIndex);
      const models: string[] = [];
      const entities: string[] = [];
      let counts = false;
      for (const a of args.positional) {
        const m = modelOf(unwrap(a));
        if (m) {
          models.push(m);
          entities.push(m);
          continue;
        }
        const ref = columnRef(a);
        if (ref) models.push(ref.model);
        else {
          if (/^(sa\.)?func\.count\b/.test(a.text)) counts = true;
          const inner = a.descendantsOfType('attribute').map((x) => x && columnRef(x)).find((x) => x);
          if (inner) models.push(inner.model);
        }
      }
      return this.fresh('select', counts ? 'count' : 'select', n, uniq(models), entities);
    }
    if (callee in WRITE_CALLEES || callee.replace(/^(sa|sqlalchemy)\./, '') in WRITE_CALLEES) {
      const m = modelOf(unwrap(args.positional[0]));
      if (m && args.positional.length === 1) {
        this.consumed.add(n.startIndex);
        return this.fresh('write', WRITE_CALLEES[callee.replace(/^(sa|sqlalchemy)\./, '')], n, [m], []);
      }
      return undefined;
    }
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute') return undefined;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    const recv = fn.childForFieldName('object');
    if (method === 'query' && recv && isSessionLike(recv)) {
      const models = args.positional.map((a) => modelOf(unwrap(a)) ?? columnRef(a)?.model).filter((m): m is string => !!m);
      if (!models.length) return undefined;
      this.consumed.add(n.startIndex);
      const entities = args.positional.map((a) => modelOf(unwrap(a))).filter((m): m is string => !!m);
      return this.fresh('legacy', 'select', n, uniq(models), entities.length === args.positional.length ? entities : []);
    }
    let base = this.read(recv, depth + 1);
    if (!base && recv && DYNAMIC_METHODS.has(method)) base = this.dynamicRoot(recv);
    if (!base || base.terminal) return undefined;
    this.apply(base, method, n);
    if (base.dynamic && !base.models.length) {
      const named = base.predicates[0]?.model ?? base.orderBy[0]?.model;
      if (named) {
        base.models.push(named);
        base.entities.push(named);
      }
    }
    return base;
  }

  /** `self.loans` / `member.loans` in `self.loans.filter(...)`: a relationship attribute used as a query. */
  private dynamicRoot(recv: Node): Chain | undefined {
    const r = unwrap(recv);
    if (r?.type !== 'attribute') return undefined;
    const attr = r.childForFieldName('attribute')?.text ?? '';
    const obj = r.childForFieldName('object');
    if (!/^[a-z][a-z0-9_]*$/.test(attr) || attr === 'query' || !obj || modelOf(obj) || isSessionLike(obj)) return undefined;
    if (!['identifier', 'attribute'].includes(obj.type)) return undefined;
    return { ...this.fresh('legacy', 'select', r, [], []), dynamic: true };
  }

  private fresh(kind: Chain['kind'], operation: Chain['operation'], root: Node, models: string[], entities: string[]): Chain {
    return { kind, operation, root, models, entities, predicates: [], orderBy: [], eagerLoads: [], joins: [], limited: false };
  }

  private apply(c: Chain, method: string, call: Node): void {
    const args = callArgs(call);
    const primary = c.models[0];
    switch (method) {
      case 'where':
      case 'filter':
      case 'having':
        for (const a of args.positional) this.predicates(a, c.predicates);
        return;
      case 'filter_by':
        if (!primary) return;
        for (const [k, v] of args.keywords) {
          const nameNode = v.parent?.childForFieldName('name') ?? v;
          c.predicates.push({ model: primary, column: k, op: unwrap(v)?.type === 'none' ? 'null' : 'eq', span: this.ctx.span(nameNode) });
        }
        return;
      case 'order_by':
        for (const a of args.positional) this.order(a, primary, c.orderBy);
        return;
      case 'join':
      case 'outerjoin':
      case 'join_from':
      case 'select_from': {
        const targets = method === 'join_from' ? args.positional.slice(0, 2) : method === 'select_from' ? args.positional : args.positional.slice(0, 1);
        for (const t of targets) {
          const m = modelOf(unwrap(t));
          if (m) {
            if (method !== 'select_from') c.joins.push(m);
            if (!c.models.includes(m)) c.models.push(m);
          } else {
            const ref = columnRef(t);
            if (ref && method !== 'select_from') c.joins.push(ref.column);
          }
        }
        return;
      }
      case 'options':
        for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
          if (!a || a.type === 'comment') continue;
          if (a.type === 'list_splat' || a.type === 'identifier') c.eagerLoads.push('*');
          else c.eagerLoads.push(...loadedPaths(a));
        }
        c.eagerLoads = uniq(c.eagerLoads);
        return;
      default:
        if (LIMITING.has(method)) c.limited = true;
        if (c.kind === 'legacy' && LEGACY_TERMINALS.has(method)) {
          c.terminal = method;
          if (method === 'count' || method === 'get' || method === 'delete' || method === 'update' || method === 'exists') c.operation = method;
        }
    }
  }

  /** Appends the column predicates of a WHERE expression. */
  predicates(expr: Node | null | undefined, out: Predicate[], forced?: PredicateOp): void {
    const n = unwrap(expr);
    if (!n) return;
    const push = (ref: ColRef, op: PredicateOp) => {
      const p: Predicate = { model: ref.model, column: ref.column, op: forced ?? (ref.expression && op !== 'like-contains' && op !== 'ilike-contains' && op !== 'like-prefix' && op !== 'ilike-prefix' && op !== 'null' ? 'other' : op), span: this.ctx.span(ref.node) };
      if (ref.expression) p.expression = ref.expression;
      out.push(p);
    };
    switch (n.type) {
      case 'comparison_operator': {
        const operands = n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
        const ops = n.children.filter((c): c is Node => !!c && !c.isNamed).map((c) => c.text);
        for (let i = 0; i + 1 < operands.length; i++) {
          const l = columnRef(operands[i]);
          const r = columnRef(operands[i + 1]);
          if ((l && r) || (!l && !r)) continue; // a join condition, or no column
          const other = l ? operands[i + 1] : operands[i];
          const op = ops[i] ?? '';
          if (op === '==') push((l ?? r)!, unwrap(other)?.type === 'none' ? 'null' : 'eq');
          else if (op === '!=') push((l ?? r)!, unwrap(other)?.type === 'none' ? 'null' : 'other');
          else if (['<', '<=', '>', '>='].includes(op)) push((l ?? r)!, 'range');
          else if (op.startsWith('is')) push((l ?? r)!, 'null');
        }
        return;
      }
      case 'binary_operator':
      case 'boolean_operator': {
        const op = n.childForFieldName('operator')?.text;
        if (op === '&' || op === '|' || op === 'and' || op === 'or') {
          this.predicates(n.childForFieldName('left'), out, forced);
          this.predicates(n.childForFieldName('right'), out, forced);
        }
        return;
      }
      case 'unary_operator':
      case 'not_operator':
        if (n.type === 'not_operator' || n.childForFieldName('operator')?.text === '~') this.predicates(n.childForFieldName('argument'), out, 'other');
        return;
      case 'call': {
        const callee = calleeName(n);
        const short = shortName(callee);
        const args = callArgs(n);
        if ((short === 'and_' || short === 'or_') && (callee === short || /^(sa|sqlalchemy|sql)\./.test(callee))) {
          for (const a of args.positional) this.predicates(a, out, forced);
          return;
        }
        if (short === 'not_') {
          for (const a of args.positional) this.predicates(a, out, 'other');
          return;
        }
        const fn = n.childForFieldName('function');
        if (fn?.type !== 'attribute') return;
        const ref = columnRef(fn.childForFieldName('object'));
        if (!ref) return;
        const method = fn.childForFieldName('attribute')?.text ?? '';
        const arg = args.positional[0];
        switch (method) {
          case 'in_':
            return push(ref, 'in');
          case 'between':
            return push(ref, 'range');
          case 'is_':
          case 'is_not':
          case 'isnot':
            return push(ref, unwrap(arg)?.type === 'none' ? 'null' : 'other');
          case 'startswith':
            return push(ref, 'like-prefix');
          case 'istartswith':
            return push(ref, 'ilike-prefix');
          case 'contains':
          case 'endswith':
            return push(ref, 'like-contains');
          case 'icontains':
          case 'iendswith':
            return push(ref, 'ilike-contains');
          case 'like': {
            const k = this.pattern(arg);
            return push(ref, k === 'contains' ? 'like-contains' : k === 'prefix' ? 'like-prefix' : 'other');
          }
          case 'ilike': {
            const k = this.pattern(arg);
            return push(ref, k === 'contains' ? 'ilike-contains' : 'ilike-prefix');
          }
          case 'match':
            return push(ref, 'fulltext');
          case 'any':
          case 'has':
            return;
          default:
            return push(ref, 'other');
        }
      }
    }
  }

  /** Whether a LIKE pattern starts with a wildcard ("contains"), with literal text ("prefix"), or cannot be told. */
  pattern(node: Node | null | undefined, depth = 0): 'prefix' | 'contains' | 'unknown' {
    const n = unwrap(node);
    if (!n || depth > 5) return 'unknown';
    if (n.type === 'identifier') {
      const v = this.resolve(n);
      return v ? this.pattern(v, depth + 1) : 'unknown';
    }
    if (n.type === 'string') {
      const v = stringValue(n);
      if (v !== undefined) return /^[%_]/.test(v) ? 'contains' : 'prefix';
      if (!stringPrefix(n).includes('f')) return 'unknown';
      const first = n.namedChildren.find((c) => c && c.type !== 'string_start');
      if (first?.type === 'string_content') return /^[%_]/.test(first.text) ? 'contains' : 'prefix';
      return 'prefix';
    }
    if (n.type === 'concatenated_string') return this.pattern(n.namedChildren[0] ?? undefined, depth + 1);
    if (n.type === 'binary_operator') {
      const op = n.childForFieldName('operator')?.text;
      if (op === '+' || op === '%') {
        const left = this.pattern(n.childForFieldName('left'), depth + 1);
        return left;
      }
    }
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') return this.pattern(fn.childForFieldName('object'), depth + 1);
    }
    return 'unknown';
  }

  private order(a: Node, primary: string | undefined, out: ColumnRef[]): void {
    const n = unwrap(a);
    if (!n) return;
    if (n.type === 'string') {
      const v = stringValue(n);
      const col = v?.trim().replace(/^-/, '').split(/\s+/)[0]?.split('.').pop();
      if (primary && col && /^[A-Za-z_][A-Za-z0-9_]*$/.test(col)) out.push({ model: primary, column: col, span: this.ctx.span(n) });
      return;
    }
    const ref = columnRef(n);
    if (ref) {
      if (!ref.expression) out.push({ model: ref.model, column: ref.column, span: this.ctx.span(ref.node) });
      return;
    }
    if (n.type === 'call') {
      const short = shortName(calleeName(n));
      if (['desc', 'asc', 'nullslast', 'nullsfirst', 'nulls_last', 'nulls_first'].includes(short) && !n.childForFieldName('function')?.childForFieldName('object')) {
        const inner = callArgs(n).positional[0];
        if (inner) this.order(inner, primary, out);
        return;
      }
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute') {
        const m = fn.childForFieldName('attribute')?.text ?? '';
        if (['desc', 'asc', 'nullslast', 'nullsfirst', 'nulls_last', 'nulls_first'].includes(m)) this.order(fn.childForFieldName('object')!, primary, out);
        else if (['desc', 'asc', 'nullslast', 'nullsfirst', 'nulls_last', 'nulls_first'].includes(short)) {
          const inner = callArgs(n).positional[0];
          if (inner) this.order(inner, primary, out);
        }
      }
    }
  }
}

/** Relationship paths a loader option loads: `selectinload(Job.tags)` → ["tags"]; chained → ["company", "company.members"]. */
export function loadedPaths(node: Node): string[] {
  const chain = loaderChain(node);
  return chain ? chain.loaded : [];
}

function loaderChain(node: Node | null | undefined): { path: string[]; loaded: string[] } | undefined {
  const n = unwrap(node);
  if (!n || n.type !== 'call') return undefined;
  const fn = n.childForFieldName('function');
  const args = callArgs(n);
  if (!fn) return undefined;
  let base: { path: string[]; loaded: string[] } | undefined;
  let loader: string;
  if (fn.type === 'attribute') {
    loader = fn.childForFieldName('attribute')?.text ?? '';
    const obj = fn.childForFieldName('object');
    base = loaderChain(obj ?? undefined);
    if (!base) {
      // `orm.selectinload(...)`, `sa.orm.joinedload(...)`, or `Load(Job).selectinload(...)`.
      const objCall = unwrap(obj);
      if (objCall?.type === 'call' && shortName(calleeName(objCall)) === 'Load') base = { path: [], loaded: [] };
      else if (obj && dottedName(obj)) base = { path: [], loaded: [] };
      else return undefined;
    }
    if (loader === 'options') {
      const loaded = [...base.loaded];
      for (const a of args.positional) for (const p of loadedPaths(a)) loaded.push([...base.path, p].join('.'));
      return { path: base.path, loaded };
    }
  } else if (fn.type === 'identifier') {
    loader = fn.text;
    base = { path: [], loaded: [] };
  } else return undefined;
  if (!LOADERS.has(loader)) return undefined;
  let path = base.path;
  const loaded = [...base.loaded];
  for (const a of args.positional) {
    const u = unwrap(a);
    const seg = u?.type === 'attribute' ? u.childForFieldName('attribute')?.text : stringValue(u);
    if (!seg) return { path, loaded: [...loaded, '*'] };
    path = [...path, seg];
    if (EAGER.has(loader)) loaded.push(seg === '*' ? '*' : path.join('.'));
  }
  return { path, loaded };
}

/** `session`, `db.session`, `self.session`, `Session()`, `db`, `conn`: something a query can run on. */
export function isSessionLike(node: Node): boolean {
  const n = unwrap(node);
  if (!n) return false;
  if (n.type === 'call') return /session/i.test(calleeName(n));
  const name = dottedName(n);
  if (!name) return false;
  const last = shortName(name).toLowerCase();
  return /session|^s$|^db$|^conn$|^connection$|^sess$|^tx$|^uow$/.test(last);
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
