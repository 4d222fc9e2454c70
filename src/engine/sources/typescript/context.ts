import type * as TS from 'typescript';
import type { Settings } from '../../settings';
import type { LineIndex } from '../../text';
import type { Span } from '../../types';
import { tsApi } from './parser';

/** What every TS/JS extractor gets: one parse of the file, its nodes collected once, shared. */
export interface TsContext {
  ts: typeof TS;
  path: string;
  text: string;
  lines: LineIndex;
  sf: TS.SourceFile;
  settings: Settings;
  calls: TS.CallExpression[];
  tagged: TS.TaggedTemplateExpression[];
  news: TS.NewExpression[];
  classes: TS.ClassDeclaration[];
  functions: TS.FunctionLikeDeclaration[];
  /** Module specifiers this file imports or requires ("@prisma/client", "pg", "typeorm"). */
  imports: Set<string>;
  span(node: TS.Node): Span;
  /** Source text of a node, without leading trivia. */
  src(node: TS.Node): string;
}

export function makeContext(path: string, text: string, lines: LineIndex, sf: TS.SourceFile, settings: Settings): TsContext {
  const ts = tsApi();
  const ctx: TsContext = {
    ts,
    path,
    text,
    lines,
    sf,
    settings,
    calls: [],
    tagged: [],
    news: [],
    classes: [],
    functions: [],
    imports: new Set(),
    span: (n) => lines.span(path, n.getStart(sf), n.end),
    src: (n) => text.slice(n.getStart(sf), n.end),
  };
  const visit = (n: TS.Node): void => {
    switch (n.kind) {
      case ts.SyntaxKind.CallExpression: {
        const c = n as TS.CallExpression;
        ctx.calls.push(c);
        if (ts.isIdentifier(c.expression) && c.expression.text === 'require' && c.arguments[0] && ts.isStringLiteral(c.arguments[0])) ctx.imports.add(c.arguments[0].text);
        break;
      }
      case ts.SyntaxKind.TaggedTemplateExpression:
        ctx.tagged.push(n as TS.TaggedTemplateExpression);
        break;
      case ts.SyntaxKind.NewExpression:
        ctx.news.push(n as TS.NewExpression);
        break;
      case ts.SyntaxKind.ClassDeclaration:
        ctx.classes.push(n as TS.ClassDeclaration);
        break;
      case ts.SyntaxKind.ImportDeclaration: {
        const s = (n as TS.ImportDeclaration).moduleSpecifier;
        if (ts.isStringLiteral(s)) ctx.imports.add(s.text);
        break;
      }
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.MethodDeclaration:
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.Constructor:
        ctx.functions.push(n as TS.FunctionLikeDeclaration);
        break;
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return ctx;
}

export function imports(ctx: TsContext, re: RegExp): boolean {
  for (const i of ctx.imports) if (re.test(i)) return true;
  return false;
}

/** Text of an expression like `this.prisma.user.findMany` (calls and element access left as written). */
export function exprText(ctx: TsContext, n: TS.Node): string {
  return ctx.src(n).replace(/\s+/g, '');
}

/** `a.b.c` → ['a','b','c']; `this.x.y` → ['this','x','y']; undefined when not a plain member chain. */
export function memberPath(ctx: TsContext, n: TS.Expression): string[] | undefined {
  const { ts } = ctx;
  const out: string[] = [];
  let cur: TS.Expression = n;
  for (;;) {
    if (ts.isPropertyAccessExpression(cur)) {
      out.unshift(cur.name.text);
      cur = cur.expression;
    } else if (ts.isNonNullExpression(cur) || ts.isParenthesizedExpression(cur)) cur = cur.expression;
    else if (ts.isIdentifier(cur)) {
      out.unshift(cur.text);
      return out;
    } else if (cur.kind === ts.SyntaxKind.ThisKeyword) {
      out.unshift('this');
      return out;
    } else return undefined;
  }
}

/** The method name of a call (`x.y.findMany(...)` → findMany, `foo(...)` → foo). */
export function methodName(ctx: TsContext, call: TS.CallExpression): string | undefined {
  const e = call.expression;
  if (ctx.ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ctx.ts.isIdentifier(e)) return e.text;
  return undefined;
}

/** The receiver of a method call (`a.b.m()` → `a.b`). */
export function receiverOf(ctx: TsContext, call: TS.CallExpression): TS.Expression | undefined {
  return ctx.ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : undefined;
}

export function isFunctionLike(ts: typeof TS, n: TS.Node): n is TS.FunctionLikeDeclaration {
  return ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);
}

export function enclosingFunction(ctx: TsContext, n: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionLike(ctx.ts, p)) return p;
  return undefined;
}

/** The name of a function: its own, the variable or property it is assigned to, or undefined (a callback). */
export function functionOwnName(ctx: TsContext, fn: TS.FunctionLikeDeclaration): string | undefined {
  const { ts } = ctx;
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) return fn.name.text;
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return p.name.text;
  if (p && ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
  return undefined;
}

/** The nearest named function around `n` (callbacks are part of the function that passes them). */
export function namedFunction(ctx: TsContext, n: TS.Node): { fn: TS.FunctionLikeDeclaration; name: string } | undefined {
  for (let f = enclosingFunction(ctx, n); f; f = enclosingFunction(ctx, f)) {
    const name = functionOwnName(ctx, f);
    if (name) return { fn: f, name };
  }
  return undefined;
}

/** `src/services/users.ts` + `UserService.find` → `src.services.users.UserService.find`. */
export function qualifiedName(ctx: TsContext, fn: TS.FunctionLikeDeclaration, name: string): string {
  const { ts } = ctx;
  const mod = ctx.path.replace(/\.[^./]+$/, '').replace(/\//g, '.');
  let cls: string | undefined;
  for (let p = fn.parent; p; p = p.parent) {
    if ((ts.isClassDeclaration(p) || ts.isClassExpression(p)) && p.name) {
      cls = p.name.text;
      break;
    }
    if (isFunctionLike(ts, p)) break;
  }
  return `${mod}.${cls ? `${cls}.` : ''}${name}`;
}

export function functionNameOf(ctx: TsContext, n: TS.Node): string | undefined {
  const f = namedFunction(ctx, n);
  return f ? qualifiedName(ctx, f.fn, f.name) : undefined;
}

/** Property of an object literal by name. */
export function prop(ctx: TsContext, obj: TS.ObjectLiteralExpression | undefined, name: string): TS.Expression | undefined {
  if (!obj) return undefined;
  const { ts } = ctx;
  for (const p of obj.properties) {
    const key = propName(ctx, p);
    if (key !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
  }
  return undefined;
}

export function propName(ctx: TsContext, p: TS.ObjectLiteralElementLike): string | undefined {
  const { ts } = ctx;
  const n = p.name;
  if (!n) return undefined;
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return undefined;
}

/** Unwraps `await`, parentheses, `as`, `!`, `satisfies`. */
export function strip(ctx: TsContext, n: TS.Expression | undefined): TS.Expression | undefined {
  const { ts } = ctx;
  while (n) {
    if (ts.isAwaitExpression(n) || ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n) || ts.isSatisfiesExpression(n) || ts.isTypeAssertionExpression(n)) n = n.expression;
    else return n;
  }
  return n;
}

/** The initializer of a `const`/`let` named `name` visible from `at` (same function or module), if one. */
export function declarationOf(ctx: TsContext, name: string, at: TS.Node): { decl?: TS.VariableDeclaration; param?: TS.ParameterDeclaration; isConst: boolean } | undefined {
  const { ts } = ctx;
  for (let scope: TS.Node | undefined = at.parent; scope; scope = scope.parent) {
    if (isFunctionLike(ts, scope)) {
      for (const p of scope.parameters) {
        if (ts.isIdentifier(p.name) && p.name.text === name) return { param: p, isConst: false };
        if (ts.isObjectBindingPattern(p.name) && p.name.elements.some((e) => ts.isIdentifier(e.name) && e.name.text === name)) return { param: p, isConst: false };
      }
    }
    if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope)) {
      for (const st of scope.statements) {
        if (st.pos > at.pos && !ts.isSourceFile(scope)) break;
        if (!ts.isVariableStatement(st)) continue;
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.name.text === name) return { decl: d, isConst: (st.declarationList.flags & ts.NodeFlags.Const) !== 0 };
        }
      }
    }
    if ((ts.isForOfStatement(scope) || ts.isForInStatement(scope)) && ts.isVariableDeclarationList(scope.initializer)) {
      for (const d of scope.initializer.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return { decl: d, isConst: false };
    }
  }
  return undefined;
}

export function clip(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** String value of a literal or a template without substitutions. */
export function stringLit(ctx: TsContext, n: TS.Node | undefined): string | undefined {
  if (!n) return undefined;
  const { ts } = ctx;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  return undefined;
}
