import type * as TS from 'typescript';
import { type FileFacts, type Predicate, type PredicateOp, type QuerySite, querySite } from '../../facts';
import { newTable, type Column, type Table } from '../../facts/schema';
import { clip, functionNameOf, imports, memberPath, prop, propName, stringLit, strip, type TsContext } from './context';
import { innermostLoop } from './loops';
import { classifySql } from './rawsql';
import { ident, pushMigration, type Step } from './migrations';

// TypeORM: entities (`@Entity`, `@Column`, `@PrimaryGeneratedColumn`, `@Index`, `@Unique`, `@ManyToOne` +
// `@JoinColumn` — TypeORM creates the FK constraint but no index on it), repository calls (`find`,
// `findOne`, `findBy`, `findOneBy`, `count` with `where`, `relations`, `order`, `take`) on repositories
// resolved from `Repository<User>` types or `getRepository(User)`, and migrations (`queryRunner.query`,
// `createIndex(new TableIndex(...))`, `transaction = false`). Table names follow the default naming
// strategy: the class name in snake_case; column names are the property names.

const FIND: Record<string, QuerySite['operation']> = {
  find: 'select', findBy: 'select', findAndCount: 'select', findAndCountBy: 'select', findOne: 'select', findOneBy: 'select',
  findOneOrFail: 'select', findOneByOrFail: 'select', count: 'count', countBy: 'count', exists: 'exists', existsBy: 'exists', delete: 'delete', update: 'update',
};
const OPERATORS: Record<string, PredicateOp> = { Equal: 'eq', In: 'in', MoreThan: 'range', MoreThanOrEqual: 'range', LessThan: 'range', LessThanOrEqual: 'range', Between: 'range', IsNull: 'null', Not: 'other', Raw: 'other', Any: 'other', ArrayContains: 'other' };

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

export function extractTypeorm(ctx: TsContext, facts: FileFacts): void {
  if (!imports(ctx, /^typeorm$/) && !/queryRunner/.test(ctx.text)) return;
  const before = facts.tables.length;
  for (const cls of ctx.classes) {
    if (decorator(ctx, cls, 'Entity')) entity(ctx, facts, cls);
    else if (cls.members.some((m) => ctx.ts.isMethodDeclaration(m) && propName(ctx, m as unknown as TS.ObjectLiteralElementLike) === 'up') && /queryRunner|MigrationInterface/.test(ctx.src(cls))) migration(ctx, facts, cls);
  }
  // FK targets named by class: use the entity's table name when it is declared in this file.
  const local = facts.tables.slice(before);
  for (const t of local) for (const fk of t.foreignKeys) {
    const target = local.find((x) => x.model === fk.refModel);
    if (target) fk.refTable = target.name;
  }
  const repoModel = repositories(ctx, facts);
  queryBuilders(ctx, facts, repoModel);
}

function decorators(ctx: TsContext, n: TS.Node): TS.Decorator[] {
  return ctx.ts.canHaveDecorators(n) ? [...(ctx.ts.getDecorators(n) ?? [])] : [];
}

function decorator(ctx: TsContext, n: TS.Node, name: string): TS.CallExpression | undefined {
  for (const d of decorators(ctx, n)) {
    const e = d.expression;
    if (ctx.ts.isCallExpression(e) && ctx.ts.isIdentifier(e.expression) && e.expression.text === name) return e;
    if (ctx.ts.isIdentifier(e) && e.text === name) return ctx.ts.factory.createCallExpression(e, undefined, []);
  }
  return undefined;
}

function strings(ctx: TsContext, n: TS.Expression | undefined): string[] {
  const e = strip(ctx, n);
  if (!e) return [];
  if (ctx.ts.isArrayLiteralExpression(e)) return e.elements.map((x) => stringLit(ctx, x)).filter((x): x is string => !!x);
  const s = stringLit(ctx, e);
  return s ? [s] : [];
}

function objArg(ctx: TsContext, c: TS.CallExpression | undefined, i = 0): TS.ObjectLiteralExpression | undefined {
  const e = strip(ctx, c?.arguments[i]);
  return e && ctx.ts.isObjectLiteralExpression(e) ? e : undefined;
}

function entity(ctx: TsContext, facts: FileFacts, cls: TS.ClassDeclaration): void {
  const { ts } = ctx;
  const ent = decorator(ctx, cls, 'Entity')!;
  const model = cls.name?.text ?? 'Entity';
  const name = stringLit(ctx, ent.arguments[0]) ?? stringLit(ctx, prop(ctx, objArg(ctx, ent), 'name')) ?? snake(model);
  const table: Table = newTable(name, 'model', ctx.span(cls.name ?? cls));
  table.model = model;
  const colOf = new Map<string, string>();
  const relations: { prop: TS.PropertyDeclaration; name: string; kind: string; target: string }[] = [];
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) continue;
    const p = m.name.text;
    const ds = decorators(ctx, m);
    const isCol = (d: TS.Decorator) => /^(Column|Primary)/.test(ctx.src(ts.isCallExpression(d.expression) ? d.expression.expression : d.expression));
    for (const d of [...ds.filter(isCol), ...ds.filter((x) => !isCol(x))]) {
      const e = d.expression;
      const dname = ts.isCallExpression(e) ? ctx.src(e.expression) : ctx.src(e);
      const call = ts.isCallExpression(e) ? e : undefined;
      if (/^(Column|PrimaryGeneratedColumn|PrimaryColumn|CreateDateColumn|UpdateDateColumn|DeleteDateColumn|VersionColumn)$/.test(dname)) {
        const opts = objArg(ctx, call, call && stringLit(ctx, call.arguments[0]) ? 1 : 0);
        const col = stringLit(ctx, prop(ctx, opts, 'name')) ?? p;
        const typeText = stringLit(ctx, call?.arguments[0]) ?? stringLit(ctx, prop(ctx, opts, 'type')) ?? tsType(ctx, m);
        const c: Column = { name: col, type: sqlType(typeText, stringLit(ctx, prop(ctx, opts, 'length')) ?? ctx.src(prop(ctx, opts, 'length') ?? ctx.sf).slice(0, 6)), nullable: /nullable\s*:\s*true/.test(ctx.src(opts ?? ctx.sf)) && !!opts, primaryKey: /^Primary/.test(dname), unique: !!opts && /unique\s*:\s*true/.test(ctx.src(opts)), attribute: p, span: ctx.span(m) };
        table.columns.push(c);
        colOf.set(p, col);
        if (c.primaryKey) table.primaryKey.push(col);
        if (c.unique) table.indexes.push({ table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', span: c.span, origin: 'model' });
      } else if (dname === 'Index' || dname === 'Unique') {
        const col = colOf.get(p) ?? p;
        table.indexes.push({ table: name, keys: [{ column: col }], unique: dname === 'Unique' || /unique\s*:\s*true/.test(ctx.src(e)), method: 'btree', span: ctx.span(d), origin: 'model' });
      } else if (/^(ManyToOne|OneToOne|OneToMany|ManyToMany)$/.test(dname) && call) {
        const f = call.arguments[0];
        const target = f && (ts.isArrowFunction(f) ? ctx.src(f.body) : ctx.src(f));
        relations.push({ prop: m, name: p, kind: dname, target: target ?? '' });
      }
    }
  }
  for (const r of relations) {
    const eager = /eager\s*:\s*true/.test(ctx.src(r.prop));
    table.relationships.push({ name: r.name, target: r.target, lazy: eager ? 'joined' : 'noload', uselist: /Many$/.test(r.kind), span: ctx.span(r.prop) });
    const join = decorator(ctx, r.prop, 'JoinColumn');
    if (r.kind === 'ManyToOne' || (r.kind === 'OneToOne' && join)) {
      const col = stringLit(ctx, prop(ctx, objArg(ctx, join), 'name')) ?? `${r.name}Id`;
      if (!table.columns.some((c) => c.name === col)) table.columns.push({ name: col, type: 'integer', nullable: true, primaryKey: false, unique: r.kind === 'OneToOne', attribute: col, span: ctx.span(r.prop) });
      if (r.kind === 'OneToOne') table.indexes.push({ table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', origin: 'model', span: ctx.span(r.prop) });
      table.foreignKeys.push({ table: name, columns: [col], refTable: snake(r.target), refColumns: ['id'], span: ctx.span(r.prop), origin: 'model', refModel: r.target });
    }
  }
  for (const d of decorators(ctx, cls)) {
    const e = d.expression;
    if (!ts.isCallExpression(e)) continue;
    const dname = ctx.src(e.expression);
    if (dname !== 'Index' && dname !== 'Unique') continue;
    const arr = e.arguments.find((a) => ts.isArrayLiteralExpression(strip(ctx, a)!));
    const cols = strings(ctx, arr).map((c) => colOf.get(c) ?? c);
    if (cols.length) table.indexes.push({ table: name, keys: cols.map((column) => ({ column })), unique: dname === 'Unique' || /unique\s*:\s*true/.test(ctx.src(e)), method: 'btree', span: ctx.span(d), origin: 'model' });
  }
  facts.tables.push(table);
}

function tsType(ctx: TsContext, m: TS.PropertyDeclaration): string {
  const t = m.type ? ctx.src(m.type) : '';
  return /string/.test(t) ? 'varchar' : /number/.test(t) ? 'integer' : /boolean/.test(t) ? 'boolean' : /Date/.test(t) ? 'timestamp' : 'unknown';
}

function sqlType(t: string, length?: string): string {
  const l = length && /^\d+$/.test(length) ? `(${length})` : '';
  if (/^(varchar|character varying|string)$/.test(t)) return `character varying${l}`;
  if (/^(int|integer|int4)$/.test(t)) return 'integer';
  if (/^(bigint|int8)$/.test(t)) return 'bigint';
  if (/^timestamp$/.test(t)) return 'timestamp without time zone';
  if (/^timestamptz$/.test(t)) return 'timestamp with time zone';
  return t;
}

/** Repository variables: `Repository<User>` types, `getRepository(User)` initializers. */
function repositories(ctx: TsContext, facts: FileFacts): Map<string, string> {
  const { ts } = ctx;
  const repoModel = new Map<string, string>();
  const visit = (n: TS.Node) => {
    if ((ts.isParameter(n) || ts.isPropertyDeclaration(n) || ts.isVariableDeclaration(n)) && ts.isIdentifier(n.name)) {
      const t = n.type ? /Repository<\s*(\w+)\s*>/.exec(ctx.src(n.type))?.[1] : undefined;
      const init = n.initializer ? /getRepository\(\s*(\w+)\s*\)/.exec(ctx.src(n.initializer))?.[1] : undefined;
      if (t || init) repoModel.set(n.name.text, (t ?? init)!);
    }
    ts.forEachChild(n, visit);
  };
  visit(ctx.sf);
  for (const call of ctx.calls) {
    const path = memberPath(ctx, call.expression);
    if (!path || path.length < 2) continue;
    const method = path[path.length - 1];
    const op = FIND[method];
    if (!op) continue;
    let model = repoModel.get(path[path.length - 2]);
    let argAt = 0;
    if (!model && /^(manager|entityManager|em)$/.test(path[path.length - 2]) && call.arguments[0] && ts.isIdentifier(call.arguments[0])) {
      model = call.arguments[0].text;
      argAt = 1;
    }
    const inline = /getRepository\(\s*(\w+)\s*\)$/.exec(ctx.src(call.expression).replace(/\.\w+$/, ''));
    if (!model && inline) model = inline[1];
    if (!model) continue;
    const arg = strip(ctx, call.arguments[argAt]);
    const opts = arg && ts.isObjectLiteralExpression(arg) ? arg : undefined;
    const byWhere = /By(OrFail)?$/.test(method) || method === 'delete' || method === 'update';
    const where = byWhere ? opts : strip(ctx, prop(ctx, opts, 'where'));
    const site = querySite({
      id: `${ctx.path}:${call.getStart(ctx.sf)}`,
      span: ctx.span(call),
      orm: 'typeorm',
      operation: op,
      executes: true,
      models: [model],
      limited: /^findOne|^exists|^count/.test(method) || !!prop(ctx, opts, 'take'),
      code: clip(ctx.src(call)),
    });
    if (where && ts.isObjectLiteralExpression(where)) typeormWhere(ctx, where, model, site.predicates);
    const order = strip(ctx, prop(ctx, opts, 'order'));
    if (order && ts.isObjectLiteralExpression(order)) for (const p of order.properties) {
      const k = propName(ctx, p);
      if (k) site.orderBy.push({ model, column: k, span: ctx.span(p) });
    }
    const rel = strip(ctx, prop(ctx, opts, 'relations'));
    if (rel) site.eagerLoads.push(...(ts.isObjectLiteralExpression(rel) ? rel.properties.map((p) => propName(ctx, p)).filter((x): x is string => !!x) : strings(ctx, rel)));
    const loop = innermostLoop(ctx, call);
    if (loop) site.loop = loop.ref;
    const fn = functionNameOf(ctx, call);
    if (fn) site.functionName = fn;
    facts.queries.push(site);
  }
  return repoModel;
}

function typeormWhere(ctx: TsContext, where: TS.ObjectLiteralExpression, model: string, out: Predicate[]): void {
  const { ts } = ctx;
  for (const p of where.properties) {
    const k = propName(ctx, p);
    if (!k) continue;
    const span = ctx.span(p.name ?? p);
    if (ts.isShorthandPropertyAssignment(p)) {
      out.push({ model, column: k, op: 'eq', span });
      continue;
    }
    if (!ts.isPropertyAssignment(p)) continue;
    const v = strip(ctx, p.initializer)!;
    if (ts.isObjectLiteralExpression(v)) continue; // a relation filter
    if (ts.isCallExpression(v) && ts.isIdentifier(v.expression)) {
      const fn = v.expression.text;
      if (fn === 'ILike' || fn === 'Like') {
        const built = v.arguments[0] ? classifySql(ctx, v.arguments[0]) : undefined;
        const leading = /^%|^\$1/.test(built?.text ?? '');
        out.push({ model, column: k, op: fn === 'ILike' ? (leading ? 'ilike-contains' : 'ilike-prefix') : leading ? 'like-contains' : 'like-prefix', span });
      } else out.push({ model, column: k, op: OPERATORS[fn] ?? 'other', span });
      continue;
    }
    out.push({ model, column: k, op: 'eq', span });
  }
}

function migration(ctx: TsContext, facts: FileFacts, cls: TS.ClassDeclaration): void {
  const { ts } = ctx;
  const up = cls.members.find((m) => ts.isMethodDeclaration(m) && propName(ctx, m as unknown as TS.ObjectLiteralElementLike) === 'up') as TS.MethodDeclaration | undefined;
  if (!up?.body) return;
  const steps: Step[] = [];
  const visit = (n: TS.Node) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const m = n.expression.name.text;
      if (m === 'query' && n.arguments[0]) {
        const built = classifySql(ctx, n.arguments[0]);
        if (built.text) steps.push({ sql: built.text, node: n, op: 'queryRunner.query' });
        return;
      }
      if (m === 'createIndex' && n.arguments[1]) {
        const table = stringLit(ctx, n.arguments[0]);
        const ix = strip(ctx, n.arguments[1]);
        const o = ix && ts.isNewExpression(ix) ? strip(ctx, ix.arguments?.[0]) : undefined;
        if (table && o && ts.isObjectLiteralExpression(o)) {
          const cols = strings(ctx, prop(ctx, o, 'columnNames'));
          const name = stringLit(ctx, prop(ctx, o, 'name')) ?? `IDX_${table}_${cols.join('_')}`;
          const unique = /isUnique\s*:\s*true/.test(ctx.src(o));
          const conc = /isConcurrent\s*:\s*true/.test(ctx.src(o));
          steps.push({ sql: `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${conc ? 'CONCURRENTLY ' : ''}${ident(name)} ON ${ident(table)} (${cols.map(ident).join(', ')})`, node: n, op: 'queryRunner.createIndex' });
        }
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(up.body);
  const noTx = cls.members.some((m) => ts.isPropertyDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'transaction' && m.initializer?.kind === ts.SyntaxKind.FalseKeyword);
  pushMigration(ctx, facts, 'typeorm', steps, !noTx, cls.name);
}

// ----- QueryBuilder chains -----

const QB_EXEC = new Set(['getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'getRawAndEntities', 'getExists', 'execute', 'stream']);
const QB_LIMITED = new Set(['getOne', 'getOneOrFail', 'getRawOne', 'getCount', 'getExists']);
const QB_OPS: [RegExp, PredicateOp][] = [
  [/^=\s*(:|\$|\?|'|\d)/, 'eq'],
  [/^(<=|>=|<|>)/, 'range'],
  [/^between\b/i, 'range'],
  [/^in\s*\(/i, 'in'],
  [/^=\s*any\s*\(/i, 'in'],
  [/^is\s+(not\s+)?null\b/i, 'null'],
];

/**
 * `repo.createQueryBuilder('u').where('u.email = :email', { email }).andWhere(...).orderBy('u.createdAt')
 * .leftJoinAndSelect('u.posts', 'p').getMany()`, also `dataSource.createQueryBuilder(User, 'u')` and a
 * builder kept in a `const qb` and extended by later statements in the same block. Conditions are read
 * from the `alias.property <op> :param` text of `where`/`andWhere`; an `orWhere` makes the conditions
 * alternatives, so none is read. A condition with `${…}` pasted into its text is raw SQL built by hand.
 */
function queryBuilders(ctx: TsContext, facts: FileFacts, repoModel: Map<string, string>): void {
  const { ts } = ctx;
  for (const call of ctx.calls) {
    if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'createQueryBuilder') continue;
    const recv = memberPath(ctx, call.expression.expression);
    let model: string | undefined;
    let alias: string | undefined;
    const a0 = strip(ctx, call.arguments[0]);
    if (a0 && ts.isIdentifier(a0) && /^[A-Z]/.test(a0.text)) {
      model = a0.text;
      alias = stringLit(ctx, call.arguments[1]);
    } else {
      alias = stringLit(ctx, a0);
      if (recv) model = repoModel.get(recv[recv.length - 1]);
      const inline = /getRepository\(\s*(\w+)\s*\)$/.exec(ctx.src(call.expression.expression).replace(/\s+/g, ''));
      if (!model && inline) model = inline[1];
    }
    // The chain: this call's links, plus `qb.x(...)` statements when the builder is kept in a variable.
    const links: TS.CallExpression[] = [];
    let top = chainUp(ctx, call, links);
    const decl = top.parent;
    if (decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
      const name = decl.name.text;
      const block = decl.parent?.parent?.parent;
      if (block) for (const c of ctx.calls) {
        if (c.pos < decl.end || c.end > block.end || !ts.isPropertyAccessExpression(c.expression)) continue;
        const base = strip(ctx, c.expression.expression);
        if (!base || !ts.isIdentifier(base) || base.text !== name) continue;
        const more: TS.CallExpression[] = [c];
        const t = chainUp(ctx, c, more);
        links.push(...more);
        if (more.some((l) => QB_EXEC.has(linkName(ctx, l)))) top = t;
      }
    }
    // `createQueryBuilder().select(...).from(User, 'u')`
    const from = links.find((l) => linkName(ctx, l) === 'from');
    if (!model && from) {
      const f0 = strip(ctx, from.arguments[0]);
      if (f0 && ts.isIdentifier(f0)) {
        model = f0.text;
        alias = stringLit(ctx, from.arguments[1]) ?? alias;
      }
    }
    if (!model) continue;
    const names = links.map((l) => linkName(ctx, l));
    const execAt = names.findIndex((m) => QB_EXEC.has(m));
    const site = querySite({
      id: `${ctx.path}:${call.getStart(ctx.sf)}`,
      span: ctx.span(top),
      orm: 'typeorm',
      operation: names.includes('delete') ? 'delete' : names.includes('update') ? 'update' : names.includes('insert') ? 'insert' : names.includes('getCount') ? 'count' : 'select',
      executes: execAt >= 0,
      models: [model],
      limited: names.some((m) => QB_LIMITED.has(m) || m === 'take' || m === 'limit'),
      code: clip(ctx.src(top)),
    });
    const ownCol = (ref: string): string | undefined => {
      const m = /^"?(\w+)"?\."?(\w+)"?$/.exec(ref.trim());
      if (m) return m[1] === alias ? m[2] : undefined;
      return /^\w+$/.test(ref.trim()) && !alias ? ref.trim() : undefined;
    };
    const hasOr = names.includes('orWhere');
    for (const l of links) {
      const m = linkName(ctx, l);
      const arg = l.arguments[0];
      if (!arg) continue;
      if (m === 'where' || m === 'andWhere' || m === 'orWhere' || m === 'having' || m === 'andHaving') {
        const e = strip(ctx, arg)!;
        if (ts.isObjectLiteralExpression(e)) {
          if (!hasOr) typeormWhere(ctx, e, model, site.predicates);
          continue;
        }
        const built = classifySql(ctx, arg);
        if (built.construction === 'fstring' || built.construction === 'concat') {
          if (built.interpolations.some((i) => !i.safe) || !site.sql) site.sql = { construction: built.construction, interpolations: built.interpolations, parameterized: false, span: ctx.span(built.node), text: built.text };
        }
        if (hasOr || built.text === undefined || m.endsWith('aving')) continue;
        for (const cond of built.text.split(/\s+and\s+/i)) {
          const c = /^\s*\(?\s*((?:"?\w+"?\.)?"?\w+"?)\s*(.*)$/s.exec(cond);
          const col = c && ownCol(c[1]);
          if (!c || !col) continue;
          const rest = c[2].trim();
          let op: PredicateOp | undefined = QB_OPS.find(([re]) => re.test(rest))?.[1];
          const like = /^(i?like)\s+(.*)$/i.exec(rest);
          if (like) {
            const ci = like[1].toLowerCase() === 'ilike';
            const v = like[2].trim();
            const param = /^:(\w+)/.exec(v)?.[1];
            const pv = param ? paramValue(ctx, l.arguments[1], param) : undefined;
            const leading = /^'%|^'?\$\d|^concat\(\s*'%'/i.test(v) || (pv !== undefined && /^[`'"]?%/.test(pv));
            op = ci ? (leading ? 'ilike-contains' : 'ilike-prefix') : leading ? 'like-contains' : 'like-prefix';
          }
          if (op) site.predicates.push({ model, column: col, op, span: ctx.span(arg) });
        }
      } else if (m === 'orderBy' || m === 'addOrderBy') {
        const s = stringLit(ctx, strip(ctx, arg));
        const col = s && ownCol(s);
        if (col) site.orderBy.push({ model, column: col, span: ctx.span(arg) });
      } else if (/^(left|inner)JoinAndSelect$/.test(m) || /^(left|inner)Join$/.test(m)) {
        const s = stringLit(ctx, strip(ctx, arg));
        const rel = s && /^(\w+)\.(\w+)$/.exec(s);
        if (rel && rel[1] === alias) (m.endsWith('AndSelect') ? site.eagerLoads : site.joins).push(rel[2]);
      }
    }
    const loop = innermostLoop(ctx, top);
    if (loop) site.loop = loop.ref;
    const fn = functionNameOf(ctx, top);
    if (fn) site.functionName = fn;
    facts.queries.push(site);
  }
}

function linkName(ctx: TsContext, c: TS.CallExpression): string {
  return ctx.ts.isPropertyAccessExpression(c.expression) ? c.expression.name.text : '';
}

/** Climbs `x.a().b().c()` from the call `x.a()`, collecting the calls above it; returns the outermost. */
function chainUp(ctx: TsContext, call: TS.CallExpression, out: TS.CallExpression[]): TS.Expression {
  const { ts } = ctx;
  let top: TS.Expression = call;
  while (top.parent && ts.isPropertyAccessExpression(top.parent) && top.parent.parent && ts.isCallExpression(top.parent.parent) && top.parent.parent.expression === top.parent) {
    top = top.parent.parent;
    out.push(top as TS.CallExpression);
  }
  while (top.parent && (ts.isAwaitExpression(top.parent) || ts.isParenthesizedExpression(top.parent))) top = top.parent as TS.Expression;
  return top;
}

/** The text of `{ name: \`%${q}%\` }`'s `name` in a QueryBuilder parameters object. */
function paramValue(ctx: TsContext, params: TS.Expression | undefined, name: string): string | undefined {
  const o = strip(ctx, params);
  if (!o || !ctx.ts.isObjectLiteralExpression(o)) return undefined;
  const v = prop(ctx, o, name);
  return v ? ctx.src(v) : undefined;
}
