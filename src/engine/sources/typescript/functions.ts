import type * as TS from 'typescript';
import type { CallInLoop, FileFacts } from '../../facts';
import { clip, functionNameOf, functionOwnName, memberPath, namedFunction, qualifiedName, type TsContext } from './context';
import { innermostLoop } from './loops';

// Functions and the calls made inside loops, so the project merge can follow `for (…) await loadUser(id)`
// into a function (in any file) that runs a query. Callees are bare names; calls to the standard library
// and to well-known container methods are not followed.

const NOT_FOLLOWED = new Set([
  'push', 'pop', 'shift', 'unshift', 'map', 'flatMap', 'forEach', 'filter', 'reduce', 'some', 'every', 'find', 'findIndex', 'includes', 'indexOf',
  'join', 'split', 'slice', 'splice', 'concat', 'sort', 'reverse', 'keys', 'values', 'entries', 'get', 'set', 'has', 'add', 'delete', 'clear',
  'then', 'catch', 'finally', 'resolve', 'reject', 'all', 'allSettled', 'race', 'log', 'info', 'warn', 'error', 'debug', 'trace', 'toString',
  'toFixed', 'trim', 'replace', 'replaceAll', 'match', 'test', 'exec', 'startsWith', 'endsWith', 'toLowerCase', 'toUpperCase', 'parse', 'stringify',
  'assign', 'freeze', 'from', 'isArray', 'floor', 'ceil', 'round', 'max', 'min', 'abs', 'random', 'now', 'toISOString', 'getTime', 'emit', 'on',
  'send', 'json', 'status', 'end', 'write', 'next', 'require', 'String', 'Number', 'Boolean', 'Date', 'Array', 'Object', 'Promise', 'setTimeout',
  'parseInt', 'parseFloat', 'isNaN', 'encodeURIComponent', 'decodeURIComponent', 'fetch', 'expect', 'describe', 'it', 'format', 'toJSON', 'append',
  'query', 'raw', 'execute', 'where', 'select', 'from', 'orderBy', 'limit', 'insert', 'update', 'returning', 'sleep', 'delay',
]);
const NOT_RECEIVERS = /^(console|Math|JSON|Object|Array|Promise|Number|String|Date|res|reply|logger|log|process|Buffer|crypto|path|fs|util|assert|expect|lodash|_|moment|dayjs|z|Reflect|Symbol|Intl|window|document)$/;

export function extractFunctions(ctx: TsContext, facts: FileFacts): void {
  const { ts } = ctx;
  const querying = new Set(facts.queries.filter((q) => q.executes && !q.loop && q.functionName).map((q) => q.functionName!));
  const siteStarts = new Set(facts.queries.map((q) => q.span.start));
  const callsBy = new Map<string, Set<string>>();
  const calleeOf = (call: TS.CallExpression): string | undefined => {
    const path = memberPath(ctx, call.expression);
    if (!path) return undefined;
    const name = path[path.length - 1];
    if (NOT_FOLLOWED.has(name) || name.startsWith('$')) return undefined;
    if (path.length > 1 && NOT_RECEIVERS.test(path[0])) return undefined;
    return name;
  };
  for (const call of ctx.calls) {
    const callee = calleeOf(call);
    if (!callee) continue;
    const fn = namedFunction(ctx, call);
    if (fn) {
      const q = qualifiedName(ctx, fn.fn, fn.name);
      (callsBy.get(q) ?? callsBy.set(q, new Set()).get(q)!).add(callee);
    }
    if (siteStarts.has(call.getStart(ctx.sf))) continue;
    const loop = innermostLoop(ctx, call);
    if (!loop) continue;
    const c: CallInLoop = { callee, span: ctx.span(call), loop: loop.ref, code: clip(ctx.src(call)) };
    const owner = functionNameOf(ctx, call);
    if (owner) c.functionName = owner;
    facts.callsInLoops.push(c);
  }
  for (const fn of ctx.functions) {
    const name = functionOwnName(ctx, fn);
    if (!name || ts.isConstructorDeclaration(fn)) continue;
    const q = qualifiedName(ctx, fn, name);
    facts.functions.push({
      name,
      qualifiedName: q,
      file: ctx.path,
      span: ctx.span(fn.name ?? fn),
      queries: querying.has(q),
      calls: [...(callsBy.get(q) ?? [])],
    });
  }
}
