import type { Node } from 'web-tree-sitter';
import type { LoopRef } from '../../facts';
import { enclosingLoop } from './ast';
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
