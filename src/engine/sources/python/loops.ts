import type { Node } from 'web-tree-sitter';
import type { LoopRef } from '../../facts';
import { enclosingLoop, walk } from './ast';
import type { PyContext } from './context';

// Loops as the query facts describe them: the innermost loop around a node (within its own function),
// pointed at by its header ("for job in jobs", "while cursor:") so findings stay short.

const COMPREHENSIONS = ['list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];

export function isComprehension(node: Node): boolean {
  return COMPREHENSIONS.includes(node.type);
}

/** The LoopRef of a loop node (for/while statement or comprehension). */
export function loopRef(ctx: PyContext, loop: Node): LoopRef {
  if (loop.type === 'while_statement') {
    const cond = loop.childForFieldName('condition');
    return { span: headerSpan(ctx, loop, cond ?? loop), kind: 'while', iterable: cond?.text };
  }
  if (loop.type === 'for_statement') {
    const right = loop.childForFieldName('right');
    const isAsync = loop.children.some((c) => c?.type === 'async');
    return { span: headerSpan(ctx, loop, right ?? loop), kind: isAsync ? 'async-for' : 'for', iterable: right?.text };
  }
  // Comprehension: the span is the whole expression; the iterable is the first `for … in` clause's.
  const clause = loop.namedChildren.find((c) => c?.type === 'for_in_clause');
  return { span: ctx.span(loop), kind: 'comprehension', iterable: clause?.childForFieldName('right')?.text };
}

function headerSpan(ctx: PyContext, loop: Node, last: Node) {
  return ctx.lines.span(ctx.path, loop.startIndex, last.endIndex);
}

/**
 * The innermost loop that re-runs `node`. A comprehension's first iterable is evaluated once, outside the
 * comprehension's own loop, so a node inside it belongs to the loop around the comprehension.
 */
export function innermostLoop(node: Node): Node | undefined {
  let loop = enclosingLoop(node);
  while (loop && !runsPerIteration(loop, node)) loop = enclosingLoop(loop);
  return loop;
}

function runsPerIteration(loop: Node, node: Node): boolean {
  if (loop.type === 'for_statement') {
    const right = loop.childForFieldName('right');
    return !(right && within(node, right));
  }
  if (isComprehension(loop)) {
    const first = loop.namedChildren.find((c) => c?.type === 'for_in_clause');
    const right = first?.childForFieldName('right');
    return !(right && within(node, right));
  }
  return true;
}

export function within(node: Node, outer: Node): boolean {
  return node.startIndex >= outer.startIndex && node.endIndex <= outer.endIndex;
}

/** Names bound by a loop target: `job` → [job]; `job, company` → [job, company]; nested tuples flattened. */
export function targetNames(target: Node | null | undefined): string[] {
  if (!target) return [];
  if (target.type === 'identifier') return [target.text];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression'].includes(target.type)) {
    return target.namedChildren.flatMap((c) => (c ? targetNames(c) : []));
  }
  return [];
}

/** A call that hands the value of a name (a loop row, a parameter) to a function. */
export interface NameCall {
  call: Node;
  /** The name passed. */
  name: string;
  /** Position among the callee's parameters (self counted for methods), or the keyword it is passed as. */
  to: number | string;
  /** `self.f(x)` / `cls.f(x)` / `x.f()`: the callee is a method, its first parameter is the instance. */
  bound: boolean;
  /** `x.f()`: the value is the receiver. */
  receiver: boolean;
}

/**
 * Calls under `roots` that pass one of `names` itself on: `f(x)`, `self.f(a, x)`, `f(row=x)`, `x.f()`.
 * Nested function definitions and lambdas are skipped (they run when called, not here); positions after
 * a `*args` splat are unknown and not recorded.
 */
export function callsPassing(roots: Node[], names: ReadonlySet<string>): NameCall[] {
  const out: NameCall[] = [];
  for (const root of roots) {
    walk(root, (n) => {
      if (n !== root && (n.type === 'function_definition' || n.type === 'lambda' || n.type === 'class_definition')) return false;
      if (n.type !== 'call') return;
      const fn = n.childForFieldName('function');
      const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
      if (obj?.type === 'identifier' && names.has(obj.text)) out.push({ call: n, name: obj.text, to: 0, bound: true, receiver: true });
      const bound = obj?.type === 'identifier' && (obj.text === 'self' || obj.text === 'cls');
      let i = 0;
      for (const a of n.childForFieldName('arguments')?.namedChildren ?? []) {
        if (!a || a.type === 'comment') continue;
        if (a.type === 'list_splat' || a.type === 'dictionary_splat') break;
        if (a.type === 'keyword_argument') {
          const v = a.childForFieldName('value');
          const k = a.childForFieldName('name')?.text;
          if (v?.type === 'identifier' && names.has(v.text) && k) out.push({ call: n, name: v.text, to: k, bound, receiver: false });
          continue;
        }
        if (a.type === 'identifier' && names.has(a.text)) out.push({ call: n, name: a.text, to: bound ? i + 1 : i, bound, receiver: false });
        i++;
      }
    });
  }
  return out;
}
