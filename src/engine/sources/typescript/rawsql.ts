import type * as TS from 'typescript';
import { rawQuerySite, type FileFacts, type Predicate, type QuerySite, type RawSql, type SqlConstruction, type SqlInterpolation } from '../../facts';
import { sqlShape } from '../sql/predicates';
import { parseStatements } from '../sql/statements';
import { clip, declarationOf, functionNameOf, strip, type TsContext } from './context';
import { innermostLoop } from './loops';

// How SQL text reached a raw-SQL sink in TS/JS: a literal, an untagged template with `${…}` pasted in, `+`
// concatenation, or a tagged template that binds its values (Prisma `$queryRaw\`…\``, `Prisma.sql`, Drizzle
// `sql\`…\``, `slonik`). Each pasted value is judged: constants, numbers, values looked up in a constant
// object, and nested tagged fragments are safe; parameters, request fields and anything else are not.

const SQL_START = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\(?\s*(select|insert|update|delete|with|create|alter|drop|set|begin|commit|rollback|truncate|copy|explain|vacuum|analyze|lock|grant|revoke|refresh|call|do|values|show|reset|listen|notify|merge|comment|reindex|cluster)\b/i;

export function looksLikeSql(s: string): boolean {
  return SQL_START.test(s);
}

/** Tags whose templates bind `${…}` as parameters. */
export function isBindingTag(ctx: TsContext, tag: TS.Expression): boolean {
  const t = ctx.src(tag).replace(/\s+/g, '').replace(/<[^>]*>$/, '');
  return /(^|\.)(\$queryRaw|\$executeRaw|sql|SQL|Prisma\.sql|sqltag)$/.test(t) && !/\.raw$/.test(t);
}

export interface Built {
  construction: SqlConstruction;
  text?: string;
  interpolations: SqlInterpolation[];
  parameterized: boolean;
  /** The string expression itself (after following a local constant). */
  node: TS.Expression;
}

/** Classifies the SQL expression `n` (following one level of `const sql = …` in the same scope). */
export function classifySql(ctx: TsContext, n: TS.Expression, depth = 0): Built {
  const { ts } = ctx;
  const e = strip(ctx, n) ?? n;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { construction: 'literal', text: e.text, interpolations: [], parameterized: false, node: e };
  if (ts.isTaggedTemplateExpression(e) && isBindingTag(ctx, e.tag)) {
    const parts = templateParts(ctx, e.template);
    return { construction: 'tagged', text: parts.text, interpolations: parts.spans.map((s) => ({ span: ctx.span(s), expr: ctx.src(s), safe: true, reason: 'is a bound parameter' })), parameterized: true, node: e };
  }
  if (ts.isTemplateExpression(e)) {
    const parts = templateParts(ctx, e);
    return { construction: 'fstring', text: parts.text, interpolations: parts.spans.map((s) => judge(ctx, s)), parameterized: false, node: e };
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const pieces: TS.Expression[] = [];
    const flat = (x: TS.Expression) => {
      const y = strip(ctx, x) ?? x;
      if (ts.isBinaryExpression(y) && y.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        flat(y.left);
        flat(y.right);
      } else pieces.push(y);
    };
    flat(e);
    let text = '';
    let k = 0;
    const interpolations: SqlInterpolation[] = [];
    for (const p of pieces) {
      if (ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p)) text += p.text;
      else if (ts.isTemplateExpression(p)) {
        const inner = templateParts(ctx, p, k);
        text += inner.text;
        k += inner.spans.length;
        interpolations.push(...inner.spans.map((s) => judge(ctx, s)));
      } else {
        text += `$${++k}`;
        interpolations.push(judge(ctx, p));
      }
    }
    if (!pieces.some((p) => ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p) || ts.isTemplateExpression(p))) return { construction: 'unknown', interpolations: [], parameterized: false, node: e };
    return { construction: 'concat', text, interpolations, parameterized: false, node: e };
  }
  if (ts.isIdentifier(e) && depth < 2) {
    const d = declarationOf(ctx, e.text, e);
    if (d?.decl?.initializer && d.isConst) {
      const inner = classifySql(ctx, d.decl.initializer, depth + 1);
      if (inner.construction !== 'unknown') return inner;
    }
    // `let sql = "…"; sql += "…"`: the declaration and its appends.
    if (d?.decl?.initializer && !d.isConst) {
      const appended = appends(ctx, e.text, d.decl, e);
      const base = classifySql(ctx, d.decl.initializer, depth + 1);
      if (base.construction !== 'unknown') {
        const parts = [base, ...appended.map((a) => classifySql(ctx, a, depth + 1))];
        const bad = parts.find((p) => p.construction === 'fstring' || p.construction === 'concat');
        return {
          construction: bad ? bad.construction : parts.every((p) => p.construction === 'literal') ? 'literal' : 'variable',
          text: parts.every((p) => p.text !== undefined) ? parts.map((p) => p.text).join('') : undefined,
          interpolations: parts.flatMap((p) => p.interpolations),
          parameterized: false,
          node: e,
        };
      }
    }
    return { construction: 'variable', interpolations: [], parameterized: false, node: e };
  }
  return { construction: 'unknown', interpolations: [], parameterized: false, node: e };
}

/** `sql += …` statements on `name` between its declaration and `before`. */
function appends(ctx: TsContext, name: string, decl: TS.VariableDeclaration, before: TS.Node): TS.Expression[] {
  const { ts } = ctx;
  const out: TS.Expression[] = [];
  const block = decl.parent?.parent?.parent;
  if (!block) return out;
  const visit = (n: TS.Node) => {
    if (n.pos >= before.pos) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && ts.isIdentifier(n.left) && n.left.text === name) out.push(n.right);
    ts.forEachChild(n, visit);
  };
  visit(block);
  return out;
}

function templateParts(ctx: TsContext, t: TS.TemplateLiteral, start = 0): { text: string; spans: TS.Expression[] } {
  const { ts } = ctx;
  if (ts.isNoSubstitutionTemplateLiteral(t)) return { text: t.text, spans: [] };
  let text = t.head.text;
  const spans: TS.Expression[] = [];
  t.templateSpans.forEach((s, i) => {
    text += `$${start + i + 1}${s.literal.text}`;
    spans.push(s.expression);
  });
  return { text, spans };
}

const NUMERIC_CALL = /^(Number|parseInt|parseFloat|Math\.\w+|BigInt|String\(Number)$/;

/** Whether a value pasted into SQL text is safe: a constant, a number, or an allow-list lookup. */
export function judge(ctx: TsContext, n: TS.Expression, depth = 0): SqlInterpolation {
  const { ts } = ctx;
  const res = (safe: boolean, reason: string): SqlInterpolation => ({ span: ctx.span(n), expr: clip(ctx.src(n), 80), safe, reason });
  const e = strip(ctx, n) ?? n;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return res(true, 'is a constant');
  if (ts.isTaggedTemplateExpression(e) && isBindingTag(ctx, e.tag)) return res(true, 'is a bound SQL fragment');
  if (ts.isConditionalExpression(e)) {
    const a = judge(ctx, e.whenTrue, depth + 1);
    const b = judge(ctx, e.whenFalse, depth + 1);
    return a.safe && b.safe ? res(true, 'is one of two constants') : res(false, (a.safe ? b : a).reason);
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.PlusToken) return res(true, 'is converted to a number');
  if (ts.isCallExpression(e)) {
    const callee = ctx.src(e.expression).replace(/\s+/g, '');
    if (NUMERIC_CALL.test(callee)) return res(true, 'is converted to a number');
    if (callee === 'String' && e.arguments[0]) return judge(ctx, e.arguments[0], depth + 1);
    if (/(^|\.)(join|raw)$/.test(callee) && /^(Prisma\.join|Prisma\.empty)$/.test(callee)) return res(true, 'is a bound SQL fragment');
    if (/\.map\((Number|parseInt)\)\.join$/.test(callee)) return res(true, 'is a list of numbers');
    if (/^(Prisma\.raw|sql\.raw)$/.test(callee) && e.arguments[0]) return judge(ctx, e.arguments[0], depth + 1);
    if (/(^|\.)(escapeIdentifier|escapeLiteral|escape|format|quoteIdent|ident|identifier)$/i.test(callee)) return res(true, 'is escaped');
    return res(false, `is the result of \`${clip(callee, 40)}()\`, not a constant`);
  }
  if (ts.isElementAccessExpression(e)) {
    const obj = strip(ctx, e.expression);
    if (obj && ts.isIdentifier(obj)) {
      const d = declarationOf(ctx, obj.text, obj);
      const init = d?.decl?.initializer && strip(ctx, d.decl.initializer);
      if (d?.isConst && init && (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init))) return res(true, `is looked up in the constant \`${obj.text}\``);
      if (!d && /^[A-Z][A-Z0-9_]*$/.test(obj.text)) return res(true, `is looked up in the constant \`${obj.text}\``);
    }
    return res(false, 'is not a constant');
  }
  if (ts.isPropertyAccessExpression(e)) {
    const t = ctx.src(e);
    if (/^(req|request|ctx\.request|ctx)\.(query|body|params|headers|cookies)\b/.test(t)) return res(false, 'comes from the request');
    if (/^[A-Z][A-Za-z0-9_]*\.[A-Z0-9_]+$/.test(t)) return res(true, 'is a constant');
    if (/\.length$/.test(t)) return res(true, 'is a number');
    const obj = strip(ctx, e.expression);
    if (obj && ts.isIdentifier(obj)) {
      const d = declarationOf(ctx, obj.text, obj);
      const init = d?.decl?.initializer && strip(ctx, d.decl.initializer);
      if (d?.isConst && init && ts.isObjectLiteralExpression(init)) return res(true, `is a field of the constant \`${obj.text}\``);
    }
    const root = /^(\w+)/.exec(t)?.[1];
    if (root && depth < 3) {
      const d = declarationOf(ctx, root, e);
      if (d?.param) return res(false, `comes from the parameter \`${root}\``);
    }
    return res(false, 'is not a constant');
  }
  if (ts.isIdentifier(e)) {
    if (/^[A-Z][A-Z0-9_]*$/.test(e.text)) return res(true, 'is a constant');
    const d = declarationOf(ctx, e.text, e);
    if (d?.param) return res(false, `comes from the parameter \`${e.text}\``);
    const init = d?.decl?.initializer;
    if (d?.decl && ts.isForOfStatement(d.decl.parent?.parent)) return res(false, 'is a loop value, not a constant');
    if (init && depth < 3) {
      const inner = judge(ctx, init, depth + 1);
      if (inner.safe && d!.isConst) return res(true, inner.reason);
      return res(false, inner.safe ? 'is a variable that can change' : inner.reason);
    }
    return res(false, 'is not a constant');
  }
  if (ts.isTemplateExpression(e) || ts.isBinaryExpression(e)) {
    const subs = ts.isTemplateExpression(e) ? e.templateSpans.map((s) => s.expression) : [e.left, e.right];
    const bad = subs.map((s) => judge(ctx, s, depth + 1)).find((x) => !x.safe);
    return bad ? res(false, bad.reason) : res(true, 'is built from constants');
  }
  return res(false, 'is not a constant');
}

/** A raw-SQL query site: the text (when known) parsed for tables and WHERE columns. */
export function rawSite(ctx: TsContext, facts: FileFacts, call: TS.Node, orm: string, built: Built, parameterized: boolean, executes = true): QuerySite {
  const sql: RawSql = { construction: built.construction, interpolations: built.interpolations, parameterized: parameterized || built.parameterized, span: ctx.span(built.node) };
  if (built.text !== undefined) sql.text = built.text;
  const loop = innermostLoop(ctx, call);
  const site = rawQuerySite({
    id: `${ctx.path}:${call.getStart(ctx.sf)}`,
    span: ctx.span(call),
    orm,
    executes,
    sql,
    code: clip(ctx.src(call)),
  });
  if (loop) site.loop = loop.ref;
  const fn = functionNameOf(ctx, call);
  if (fn) site.functionName = fn;
  if (built.text !== undefined && looksLikeSql(built.text)) {
    const parsed = parseStatements(built.text);
    if (parsed.ok) {
      for (const st of parsed.statements) {
        const shape = sqlShape(st.ast);
        site.tables.push(...shape.tables.filter((t) => !site.tables.includes(t)));
        site.limited ||= shape.limited;
        for (const p of shape.predicates) {
          const pred: Predicate = { table: p.table, column: p.column, op: p.op, span: sql.span };
          site.predicates.push(pred);
        }
        for (const o of shape.orderBy) site.orderBy.push({ table: o.table, column: o.column, span: sql.span });
      }
      if (built.construction === 'literal' && parsed.statements.length === 1 && ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt'].includes(Object.keys(parsed.statements[0].ast)[0] ?? '')) {
        facts.sqlSites.push({ span: sql.span, sql: built.text.trim(), origin: 'ts-string' });
      }
    }
  }
  facts.queries.push(site);
  return site;
}
