import type * as TS from 'typescript';
import type { LoopRef } from '../../facts';
import { isFunctionLike, type TsContext } from './context';

// Loops as the query facts describe them: `for`, `for…of` (`for await` too), `for…in`, `while`, `do`, and
// array callbacks (`items.map(async (x) => …)`, `.forEach`, `.reduce`, `.flatMap`…): the callback runs
// once per item, so a query in it is one query per item even when `Promise.all` runs them concurrently.
// The walk stops at any other function boundary: a function defined in a loop is not run by it.

const ITERATORS: Record<string, LoopRef['kind']> = {
  map: 'map',
  flatMap: 'map',
  forEach: 'forEach',
  reduce: 'reduce',
  reduceRight: 'reduce',
  filter: 'map',
  some: 'map',
  every: 'map',
  find: 'map',
  findIndex: 'map',
};

export interface FoundLoop {
  node: TS.Node;
  ref: LoopRef;
}

/** The innermost loop that re-runs `node`, within its function (iteration callbacks count as loops). */
export function innermostLoop(ctx: TsContext, node: TS.Node): FoundLoop | undefined {
  const { ts } = ctx;
  let child: TS.Node = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    if (isFunctionLike(ts, p)) {
      const cb = iterationCall(ctx, p);
      if (cb) return cb;
      // A transaction callback runs where it is passed: keep looking for a loop around the call.
      const call = p.parent;
      if (call && ts.isCallExpression(call) && /transaction/i.test(ctx.src(call.expression))) continue;
      return undefined;
    }
    if (ts.isForOfStatement(p) || ts.isForInStatement(p)) {
      if (child === p.expression || child === p.initializer) continue;
      const isAwait = ts.isForOfStatement(p) && !!p.awaitModifier;
      return { node: p, ref: { span: ctx.lines.span(ctx.path, p.getStart(ctx.sf), p.expression.end + 1), kind: isAwait ? 'async-for' : 'for', iterable: ctx.src(p.expression) } };
    }
    if (ts.isForStatement(p)) {
      if (child === p.initializer) continue;
      const end = (p.incrementor ?? p.condition ?? p.initializer)?.end ?? p.getStart(ctx.sf) + 3;
      // `for (;;) { … break; }` is a `while (true)` (typically paging until a short page).
      return { node: p, ref: { span: ctx.lines.span(ctx.path, p.getStart(ctx.sf), end + 1), kind: p.condition ? 'for' : 'while', iterable: p.condition ? ctx.src(p.condition) : 'true' } };
    }
    if (ts.isWhileStatement(p) || ts.isDoStatement(p)) {
      const start = ts.isWhileStatement(p) ? p.getStart(ctx.sf) : p.expression.getStart(ctx.sf);
      return { node: p, ref: { span: ctx.lines.span(ctx.path, start, p.expression.end), kind: 'while', iterable: ctx.src(p.expression) } };
    }
  }
  return undefined;
}

/** When `fn` is the callback of `xs.map(fn)` / `xs.forEach(fn)` / …, that call as a loop. */
function iterationCall(ctx: TsContext, fn: TS.FunctionLikeDeclaration): FoundLoop | undefined {
  const { ts } = ctx;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return undefined;
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(fn as TS.Expression)) return undefined;
  if (!ts.isPropertyAccessExpression(call.expression)) {
    // Array.from(xs, fn)
    return undefined;
  }
  const kind = ITERATORS[call.expression.name.text];
  if (!kind) return undefined;
  const recv = call.expression.expression;
  // A callback of a promise (`p.then(fn)`) or of something named like a single value is not a loop.
  if (call.expression.name.text === 'find' && !/s$|list|items|rows|array/i.test(ctx.src(recv))) return undefined;
  return { node: call, ref: { span: ctx.span(call.expression), kind, iterable: ctx.src(recv) } };
}

export { isFunctionLike };
