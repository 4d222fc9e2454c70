import type { Node } from 'web-tree-sitter';
import type { LineIndex } from '../../text';
import type { Span } from '../../types';

// Small helpers over tree-sitter's Python tree, shared by the models, Alembic, query and config extractors.
// web-tree-sitter reports offsets in UTF-16 code units for JS strings, the same unit as Span.

export type PyNode = Node;

export function spanOf(node: Node, file: string, lines: LineIndex): Span {
  return lines.span(file, node.startIndex, node.endIndex);
}

/** Dotted name of a call's function: `op.create_index`, `sa.Column`, `select`; '' when not a plain name. */
export function calleeName(call: Node): string {
  const fn = call.childForFieldName('function');
  return fn ? dottedName(fn) : '';
}

/** `a.b.c` for identifier/attribute chains; '' otherwise. */
export function dottedName(node: Node): string {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const obj = node.childForFieldName('object');
    const attr = node.childForFieldName('attribute');
    const left = obj ? dottedName(obj) : '';
    return left && attr ? `${left}.${attr.text}` : '';
  }
  return '';
}

/** The last segment of a dotted callee: `sa.Column` → `Column`. */
export function shortName(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

export interface CallArgs {
  positional: Node[];
  keywords: Map<string, Node>;
  /** `*args` / `**kwargs` present: the call passes things we cannot see. */
  hasSplat: boolean;
}

export function callArgs(call: Node): CallArgs {
  const out: CallArgs = { positional: [], keywords: new Map(), hasSplat: false };
  const list = call.childForFieldName('arguments');
  if (!list) return out;
  for (const a of list.namedChildren) {
    if (!a) continue;
    if (a.type === 'keyword_argument') {
      const name = a.childForFieldName('name');
      const value = a.childForFieldName('value');
      if (name && value) out.keywords.set(name.text, value);
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') out.hasSplat = true;
    else if (a.type !== 'comment') out.positional.push(a);
  }
  return out;
}

/**
 * The value of a string literal (or implicit concatenation of literals) when it has no interpolation;
 * undefined for f-strings with fields, names, calls…
 */
export function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'parenthesized_expression') return stringValue(node.namedChildren[0]);
  if (node.type === 'concatenated_string') {
    let s = '';
    for (const c of node.namedChildren) {
      const v = stringValue(c);
      if (v === undefined) return undefined;
      s += v;
    }
    return s;
  }
  if (node.type !== 'string') return undefined;
  let s = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') s += c.text;
    else if (c.type === 'escape_sequence') s += unescape(c.text);
    else if (c.type === 'interpolation') return undefined;
  }
  return s;
}

function unescape(seq: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return map[seq.slice(1)] ?? seq;
}

/** The string prefix letters (`f`, `rb`…) of a string node, lower-cased. */
export function stringPrefix(node: Node): string {
  const start = node.children[0];
  const m = start?.text.match(/^[a-zA-Z]*/);
  return (m?.[0] ?? '').toLowerCase();
}

export function isTrue(node: Node | undefined): boolean {
  return node?.type === 'true';
}

export function isFalse(node: Node | undefined): boolean {
  return node?.type === 'false';
}

/** Depth-first walk; return false from `visit` to skip a node's children. */
export function walk(node: Node, visit: (n: Node) => boolean | void): void {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
}

/** All descendants of the given types, in source order. */
export function descendants(node: Node, types: string | string[]): Node[] {
  return node.descendantsOfType(types).filter((n): n is Node => !!n);
}

/** The nearest ancestor of one of the given types (not the node itself). */
export function ancestor(node: Node, types: string[], stopAt: string[] = []): Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (types.includes(p.type)) return p;
    if (stopAt.includes(p.type)) return undefined;
  }
  return undefined;
}

/** Module path of a file for qualified names: `app/routes/jobs.py` → `app.routes.jobs`. */
export function moduleName(path: string): string {
  return path.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

const LOOP_TYPES = ['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'];
const SCOPE_TYPES = ['function_definition', 'lambda', 'class_definition'];

/** The innermost loop around `node` within its function (a loop outside the enclosing def does not count). */
export function enclosingLoop(node: Node): Node | undefined {
  return ancestor(node, LOOP_TYPES, SCOPE_TYPES);
}

/** The innermost function definition around `node`. */
export function enclosingFunction(node: Node): Node | undefined {
  return ancestor(node, ['function_definition'], []);
}

/** Qualified name of a function definition: module + enclosing classes/functions + name. */
export function qualifiedFunctionName(def: Node, path: string): string {
  const parts: string[] = [];
  for (let n: Node | null = def; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'class_definition') {
      const name = n.childForFieldName('name');
      if (name) parts.unshift(name.text);
    }
  }
  return [moduleName(path), ...parts].join('.');
}
