import type * as TS from 'typescript';
import type { FileFacts } from '../../facts';
import { newTable, type Table } from '../../facts/schema';
import { imports, memberPath, stringLit, strip, type TsContext } from './context';

// Drizzle schemas: `export const posts = pgTable('posts', { authorId: integer('author_id').references(() =>
// users.id) }, (t) => [index('…').on(t.authorId)])`. `references()` creates the FK constraint only; the
// index has to be declared with `index().on(...)`. The model name is the exported variable.

const TYPES: Record<string, string> = {
  serial: 'serial', bigserial: 'bigserial', integer: 'integer', bigint: 'bigint', smallint: 'smallint', text: 'text', varchar: 'character varying',
  boolean: 'boolean', timestamp: 'timestamp without time zone', date: 'date', uuid: 'uuid', json: 'json', jsonb: 'jsonb', numeric: 'numeric', real: 'real',
  doublePrecision: 'double precision', char: 'character',
};

export function extractDrizzle(ctx: TsContext, facts: FileFacts): void {
  if (!imports(ctx, /^drizzle-orm/)) return;
  const { ts } = ctx;
  const tables: { v: string; t: Table; cols: Map<string, string> }[] = [];
  for (const call of ctx.calls) {
    if (!ts.isIdentifier(call.expression) || call.expression.text !== 'pgTable') continue;
    const name = stringLit(ctx, call.arguments[0]);
    const colsObj = strip(ctx, call.arguments[1]);
    const decl = call.parent;
    if (!name || !colsObj || !ts.isObjectLiteralExpression(colsObj)) continue;
    const t = newTable(name, 'model', ctx.span(call.arguments[0]));
    const v = decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) ? decl.name.text : name;
    t.model = v;
    const cols = new Map<string, string>();
    for (const p of colsObj.properties) {
      if (!ts.isPropertyAssignment(p) || !p.name || !ts.isIdentifier(p.name)) continue;
      const key = p.name.text;
      const chain: TS.CallExpression[] = [];
      let cur: TS.Expression = p.initializer;
      while (ts.isCallExpression(cur)) {
        chain.unshift(cur);
        cur = ts.isPropertyAccessExpression(cur.expression) ? cur.expression.expression : cur.expression;
      }
      const head = chain[0];
      if (!head || !ts.isIdentifier(head.expression)) continue;
      const col = stringLit(ctx, head.arguments[0]) ?? key;
      cols.set(key, col);
      const mods = chain.slice(1).map((c) => ({ m: (c.expression as TS.PropertyAccessExpression).name.text, c }));
      const pk = mods.some((x) => x.m === 'primaryKey');
      const unique = mods.some((x) => x.m === 'unique');
      t.columns.push({ name: col, type: TYPES[head.expression.text] ?? head.expression.text.toLowerCase(), nullable: !pk && !mods.some((x) => x.m === 'notNull'), primaryKey: pk, unique, attribute: key, span: ctx.span(p) });
      if (pk) t.primaryKey.push(col);
      if (unique) t.indexes.push({ table: name, keys: [{ column: col }], unique: true, method: 'btree', constraint: 'unique', span: ctx.span(p), origin: 'model' });
      const ref = mods.find((x) => x.m === 'references');
      const target = ref?.c.arguments[0];
      if (target && (ts.isArrowFunction(target) || ts.isFunctionExpression(target))) {
        const path = ts.isArrowFunction(target) && !ts.isBlock(target.body) ? memberPath(ctx, target.body) : undefined;
        if (path && path.length === 2) t.foreignKeys.push({ table: name, columns: [col], refTable: path[0], refColumns: [path[1]], span: ctx.span(p), origin: 'model', refModel: path[0] });
      }
    }
    // Extra config: (t) => [index('x').on(t.a), uniqueIndex(...).on(...)] or an object of them.
    const extra = call.arguments[2];
    if (extra) {
      const visit = (n: TS.Node) => {
        if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'on') {
          const head = ctx.src(n.expression.expression);
          const unique = /^uniqueIndex|^unique\(/.test(head);
          const keys = n.arguments.map((a) => memberPath(ctx, a as TS.Expression)).map((pth) => (pth ? cols.get(pth[pth.length - 1]) ?? pth[pth.length - 1] : undefined));
          const method = /\.using\(\s*['"](\w+)/.exec(head)?.[1];
          if (keys.every(Boolean)) t.indexes.push({ table: name, keys: keys.map((column) => ({ column })), unique, method: method ?? 'btree', span: ctx.span(n), origin: 'model' });
          return;
        }
        ts.forEachChild(n, visit);
      };
      visit(extra);
    }
    tables.push({ v, t, cols });
  }
  // References name the Drizzle variable (`users.id`): map them to table names declared in this file.
  for (const { t } of tables) for (const fk of t.foreignKeys) {
    const target = tables.find((x) => x.v === fk.refTable);
    if (target) {
      fk.refTable = target.t.name;
      fk.refColumns = fk.refColumns.map((c) => target.cols.get(c) ?? c);
    }
  }
  facts.tables.push(...tables.map((x) => x.t));
}
