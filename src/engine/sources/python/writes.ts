import type { Node } from 'web-tree-sitter';
import type { ColumnWrite, FileFacts, QuerySite, UniquenessAssumption } from '../../facts';
import { callArgs, calleeName, enclosingFunction, shortName, stringValue } from './ast';
import type { PyContext } from './context';
import { parameterNames, valueAt } from './taint';

// Values the code writes into model columns (and whether they were hashed or freshly generated), and the
// places where code assumes a set of columns identifies one row: a lookup followed by an insert of the
// same values, or a lookup that expects exactly one row. Reads the query sites found earlier in this file.

const NOT_MODELS = /(Error|Exception|Warning|Out|In|Schema|Response|Request|Form|Config|Settings|Model|Base|Router|Depends|Query|Path|Body|Header|Cookie|Field|Enum|Dict|List|Type)$|^(HTTPException|APIRouter|FastAPI|Flask|Blueprint|SQLAlchemy|CryptContext|PasswordHasher|Decimal|UUID|Path|Counter|OrderedDict|Index|Column|ForeignKey|UniqueConstraint|Text|String|Integer|DateTime|Boolean)$/;
const HASH_CALL = /(^|\.)(\w*hash\w*|hexdigest|digest|make_password|pbkdf2_hmac|scrypt|encrypt|crypt)$|^(hashlib|hmac)\./i;
const SECRET_CALL = /^(secrets\.\w+|uuid\.uuid4|uuid4|os\.urandom|urandom|random\.\w+|token_urlsafe|token_hex|token_bytes|randbelow|get_random_string|(django\.utils\.crypto\.)?get_random_string|shortuuid\.\w+|nanoid\.\w+)$/;
const ONE_METHODS = new Set(['one', 'scalar_one', 'one_or_none', 'scalar_one_or_none']);

export function extractWrites(ctx: PyContext, facts: FileFacts): void {
  const calls = ctx.root.descendantsOfType('call').filter((n): n is Node => !!n);
  const localModels = new Set<string>();
  for (const t of facts.tables) if (t.model) localModels.add(t.model);
  const isModel = (name: string) => /^[A-Z][A-Za-z0-9]*$/.test(name) && (localModels.has(name) || !NOT_MODELS.test(name));
  const sites = facts.queries.filter((q) => q.operation !== 'raw' && q.models.length > 0);

  // Column writes: Model(col=…), Model.objects.create(col=…), insert(Model).values(col=…/{…}), obj.col = ….
  for (const call of calls) {
    const name = calleeName(call);
    const short = shortName(name);
    const args = callArgs(call);
    let model: string | undefined;
    if (isModel(short) && (name === short || /^(models|m)\./.test(name)) && args.keywords.size) model = short;
    const m = name.match(/^([A-Z]\w*)\.objects\.(create|get_or_create|update_or_create)$/);
    if (m) model = m[1];
    if (model) {
      for (const [k, v] of args.keywords) if (k !== 'defaults') facts.columnWrites.push(write(ctx, v.parent ?? v, model, k, v));
      const defaults = args.keywords.get('defaults');
      if (m && defaults?.type === 'dictionary') pushDict(ctx, facts, defaults, model);
      continue;
    }
    if (methodOf(call) === 'values') {
      const target = insertTarget(call);
      if (!target) continue;
      for (const [k, v] of args.keywords) facts.columnWrites.push(write(ctx, v.parent ?? v, target, k, v));
      for (const p of args.positional) if (p.type === 'dictionary') pushDict(ctx, facts, p, target);
    }
  }
  for (const a of ctx.root.descendantsOfType('assignment')) {
    const left = a?.childForFieldName('left');
    const right = a?.childForFieldName('right');
    if (!a || !right || left?.type !== 'attribute') continue;
    const obj = left.childForFieldName('object');
    const col = left.childForFieldName('attribute')?.text;
    if (obj?.type !== 'identifier' || !col || obj.text === 'self' || col.startsWith('_')) continue;
    const model = modelOfVariable(ctx, obj, sites, isModel);
    if (model) facts.columnWrites.push(write(ctx, a, model, col, right));
  }

  uniqueness(ctx, facts, sites, calls);
}

function pushDict(ctx: PyContext, facts: FileFacts, dict: Node, model: string): void {
  for (const p of dict.namedChildren) {
    if (p?.type !== 'pair') continue;
    const key = p.childForFieldName('key');
    const value = p.childForFieldName('value');
    if (!key || !value) continue;
    const col = stringValue(key) ?? (key.type === 'attribute' ? key.childForFieldName('attribute')?.text : undefined);
    if (col) facts.columnWrites.push(write(ctx, p, model, col, value));
  }
}

/** `insert(Model).values(...)` / `update(Model).where(...).values(...)`: the model written. */
function insertTarget(values: Node): string | undefined {
  let n: Node | null = values.childForFieldName('function');
  for (let i = 0; n && i < 8; i++) {
    if (n.type === 'attribute') n = n.childForFieldName('object');
    else if (n.type === 'call') {
      const name = calleeName(n);
      if (/(^|\.)(insert|update)$/.test(name)) {
        const a = callArgs(n).positional[0];
        return a?.type === 'identifier' && /^[A-Z]/.test(a.text) ? a.text : undefined;
      }
      n = n.childForFieldName('function');
    } else break;
  }
  return undefined;
}

function write(ctx: PyContext, at: Node, model: string, column: string, value: Node): ColumnWrite {
  const calls = callsBehind(value, 0);
  return {
    span: ctx.span(at),
    model,
    column,
    value: value.text.length > 200 ? value.text.slice(0, 200) : value.text,
    hashed: calls.some((c) => HASH_CALL.test(c)),
    generatedSecret: calls.some((c) => SECRET_CALL.test(c)),
  };
}

/** Callee names in an expression and in the values of the local variables it reads (a few levels deep). */
function callsBehind(node: Node, depth: number): string[] {
  if (depth > 3) return [];
  const out: string[] = [];
  const visit = (n: Node) => {
    if (n.type === 'call') {
      const name = calleeName(n);
      if (name) out.push(name);
      else {
        const fn = n.childForFieldName('function');
        const attr = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
        if (attr) out.push(attr);
      }
    }
    if (n.type === 'identifier' && !(n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.startIndex === n.startIndex) && !(n.parent?.type === 'keyword_argument' && n.parent.childForFieldName('name')?.startIndex === n.startIndex)) {
      const v = valueAt(n.text, n);
      if (v && v.value.startIndex !== node.startIndex) out.push(...callsBehind(v.value, depth + 1));
    }
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(node);
  return out;
}

const stripAwait = (n: Node | null | undefined): Node | undefined => {
  if (!n) return undefined;
  if (n.type === 'await' || n.type === 'parenthesized_expression') return stripAwait(n.namedChildren[0]);
  return n;
};

/** The model class of a local variable: `x = Model(...)`, `x = session.get(Model, …)`, a query's row, `x: Model`. */
function modelOfVariable(ctx: PyContext, id: Node, sites: QuerySite[], isModel: (n: string) => boolean, depth = 0): string | undefined {
  if (depth > 2) return undefined;
  const v = valueAt(id.text, id);
  if (v && v.assignment.endIndex <= id.startIndex) {
    const value = stripAwait(v.value);
    if (value?.type === 'call') {
      const name = calleeName(value);
      if (isModel(shortName(name)) && (name === shortName(name) || /^models\./.test(name))) return shortName(name);
      const args = callArgs(value);
      if (/(^|\.)(get|get_or_404|get_one)$/.test(name) && args.positional[0]?.type === 'identifier' && isModel(args.positional[0].text)) return args.positional[0].text;
    }
    const inside = sites.filter((s) => s.span.start >= v.value.startIndex && s.span.end <= v.value.endIndex && s.models.length === 1 && !s.joins.length);
    if (inside.length === 1) return inside[0].models[0];
    return undefined;
  }
  // A typed parameter: `user: User = Depends(...)`.
  const def = enclosingFunction(id);
  if (def && parameterNames(def).includes(id.text)) {
    for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p || (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter')) continue;
      const pname = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      if (pname?.text !== id.text) continue;
      const type = p.childForFieldName('type')?.text ?? '';
      if (/^[A-Z]\w*$/.test(type) && isModel(type)) return type;
    }
  }
  return undefined;
}

interface Lookup {
  site: QuerySite;
  node: Node;
  model: string;
  columns: string[];
}

function eqLookup(ctx: PyContext, site: QuerySite): Lookup | undefined {
  const model = site.models[0];
  if (!model || site.joins.length) return undefined;
  const columns = [...new Set(site.predicates.filter((p) => p.op === 'eq' && (p.model ?? model) === model).map((p) => p.column))];
  if (!columns.length) return undefined;
  const node = ctx.root.descendantForIndex(site.span.start, Math.max(site.span.start, site.span.end - 1));
  if (!node) return undefined;
  let n: Node = node;
  while (n.parent && n.parent.startIndex === site.span.start && n.parent.endIndex === site.span.end) n = n.parent;
  return { site, node: n, model, columns };
}

/** The statement a node sits in (its nearest ancestor that is a direct child of a block or the module). */
function statementOf(node: Node): Node {
  let n = node;
  while (n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

function uniqueness(ctx: PyContext, facts: FileFacts, sites: QuerySite[], calls: Node[]): void {
  const lookups = sites.map((s) => eqLookup(ctx, s)).filter((l): l is Lookup => !!l);
  const seen = new Set<string>();
  const add = (u: UniquenessAssumption) => {
    const key = `${u.kind}:${u.span.start}`;
    if (seen.has(key)) return;
    seen.add(key);
    facts.uniquenessAssumptions.push(u);
  };

  // (a) check-then-insert.
  for (const l of lookups) {
    const def = enclosingFunction(l.node);
    if (!def) continue;
    const body = def.childForFieldName('body');
    if (!body) continue;
    // Variables that carry the lookup's result (and values derived from them).
    const vars = new Set<string>();
    const stmt = statementOf(l.node);
    const assign = stmt.namedChildren[0];
    if (stmt.type === 'expression_statement' && assign?.type === 'assignment' && assign.childForFieldName('left')?.type === 'identifier') vars.add(assign.childForFieldName('left')!.text);
    const later = body.descendantsOfType(['assignment', 'if_statement', 'call']).filter((n): n is Node => !!n && n.startIndex >= l.node.startIndex);
    // The lookup may sit in the test itself: `if Member.query.filter_by(card_number=c).first(): abort(409)`.
    let tested: Node | undefined;
    for (let p = l.node.parent; p && p.startIndex >= def.startIndex; p = p.parent) {
      const cond = p.type === 'if_statement' ? p.childForFieldName('condition') : undefined;
      if (cond && cond.startIndex <= l.node.startIndex && cond.endIndex >= l.node.endIndex) {
        tested = p;
        break;
      }
      if (p.type === 'block') break;
    }
    for (const n of later) {
      if (n.type === 'assignment' && !tested) {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type === 'identifier' && right && mentions(right, vars)) vars.add(left.text);
      } else if (n.type === 'if_statement' && !tested) {
        const cond = n.childForFieldName('condition');
        if (cond && (mentions(cond, vars) || (cond.startIndex <= l.node.startIndex && cond.endIndex >= l.node.endIndex))) tested = n;
      } else if (n.type === 'call' && tested && n.startIndex > tested.childForFieldName('condition')!.endIndex) {
        const name = calleeName(n);
        const args = callArgs(n);
        const ctor = shortName(name) === l.model && (name === l.model || /^models\./.test(name));
        const djangoCreate = name === `${l.model}.objects.create`;
        const values = methodOf(n) === 'values' && insertTarget(n) === l.model;
        if (!ctor && !djangoCreate && !values) continue;
        const written = new Set([...args.keywords.keys()]);
        for (const p of args.positional) if (p.type === 'dictionary') for (const pair of p.namedChildren) {
          const k = pair?.type === 'pair' ? pair.childForFieldName('key') : undefined;
          const col = stringValue(k) ?? (k?.type === 'attribute' ? k.childForFieldName('attribute')?.text : undefined);
          if (col) written.add(col);
        }
        if (!l.columns.every((c) => written.has(c))) continue;
        add({ span: l.site.span, kind: 'check-then-insert', model: l.model, columns: l.columns, insertSpan: ctx.span(n), code: l.site.code, functionName: l.site.functionName });
        break;
      }
    }
  }

  // (b) expects-one: .one() / .scalar_one() / .one_or_none() / .scalar_one_or_none() on a lookup by eq columns.
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
    if (!method || !ONE_METHODS.has(method)) continue;
    const recv = fn!.childForFieldName('object');
    if (!recv) continue;
    let found = lookups.filter((l) => l.site.span.start >= call.startIndex && l.site.span.end <= call.endIndex);
    if (!found.length) {
      const root = rootIdentifier(recv);
      const v = root && valueAt(root.text, root);
      if (v) found = lookups.filter((l) => l.site.span.start >= v.value.startIndex && l.site.span.end <= v.value.endIndex);
    }
    if (found.length !== 1) continue;
    const l = found[0];
    add({ span: ctx.span(call), kind: 'expects-one', model: l.model, columns: l.columns, code: call.text.length > 300 ? call.text.slice(0, 300) : call.text, functionName: l.site.functionName });
  }
}

function rootIdentifier(n: Node): Node | undefined {
  let c: Node | null = n;
  while (c && (c.type === 'attribute' || c.type === 'call' || c.type === 'await' || c.type === 'parenthesized_expression')) {
    c = c.type === 'attribute' ? c.childForFieldName('object') : c.type === 'call' ? c.childForFieldName('function') : c.namedChildren[0];
  }
  return c?.type === 'identifier' ? c : undefined;
}

function mentions(node: Node, vars: Set<string>): boolean {
  if (!vars.size) return false;
  if (node.type === 'identifier') return vars.has(node.text);
  return node.descendantsOfType('identifier').some((i) => !!i && vars.has(i.text) && !(i.parent?.type === 'attribute' && i.parent.childForFieldName('attribute')?.startIndex === i.startIndex));
}

function methodOf(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
}
