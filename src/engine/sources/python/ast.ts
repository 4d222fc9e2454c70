import type { Node, Tree } from 'web-tree-sitter';
import type { LineIndex } from '../../text';
import type { Span } from '../../types';

// Small helpers over tree-sitter's Python tree, shared by the models, Alembic, query and config extractors.
// web-tree-sitter reports offsets in UTF-16 code units for JS strings, the same unit as Span.

export type PyNode = Node;

// ---------------------------------------------------------------------------------------------------
// The syntax tree the extractors read is a plain-JS copy of tree-sitter's, made in one cursor walk right after
// parsing (`mirrorTree`). Every web-tree-sitter Node access crosses into WASM and allocates (`.type`,
// `.parent`, `.namedChildren`, `childForFieldName`…), and the extractors make millions of them; the copy makes
// them property reads. `SyntaxNode` implements the subset of web-tree-sitter's `Node` API the extractors use,
// with the same meaning (offsets in UTF-16 code units, `descendantsOfType` includes the node itself, in source
// order), and the context hands it out typed as `Node`. Nodes are canonical: one object per node, so `===` works.
// Only trees without syntax errors are mirrored (files with errors are skipped before extraction).

export class SyntaxTree {
  rootNode!: SyntaxNode;
  /** Nodes of each type, in source (pre-)order. */
  readonly byType = new Map<string, SyntaxNode[]>();
  constructor(readonly source: string) {}

  /** All nodes of the given types in the whole tree, in source order. */
  ofType(type: string): readonly SyntaxNode[] {
    return this.byType.get(type) ?? EMPTY;
  }
}

const EMPTY: readonly SyntaxNode[] = [];

const NO_CHILDREN: SyntaxNode[] = [];

export class SyntaxNode {
  parent: SyntaxNode | null = null;
  children: SyntaxNode[] = NO_CHILDREN;
  /** Pre-order position in the tree, and the position of its last descendant. */
  index = 0;
  last = 0;
  private named?: SyntaxNode[];
  private memo?: Map<string, unknown>;

  constructor(
    readonly tree: SyntaxTree,
    readonly type: string,
    readonly isNamed: boolean,
    /** The field this node fills in its parent (`function`, `arguments`…), or null. */
    readonly field: string | null,
    public startIndex: number,
    public endIndex: number,
  ) {}

  get text(): string {
    return this.tree.source.slice(this.startIndex, this.endIndex);
  }

  get id(): number {
    return this.index;
  }

  get namedChildren(): SyntaxNode[] {
    if (!this.named) {
      const out: SyntaxNode[] = [];
      for (const c of this.children) if (c.isNamed) out.push(c);
      this.named = out;
    }
    return this.named;
  }

  get childCount(): number {
    return this.children.length;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  child(i: number): SyntaxNode | null {
    return this.children[i] ?? null;
  }

  namedChild(i: number): SyntaxNode | null {
    return this.namedChildren[i] ?? null;
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get lastChild(): SyntaxNode | null {
    return this.children[this.children.length - 1] ?? null;
  }

  get firstNamedChild(): SyntaxNode | null {
    return this.namedChildren[0] ?? null;
  }

  get lastNamedChild(): SyntaxNode | null {
    const n = this.namedChildren;
    return n[n.length - 1] ?? null;
  }

  get nextSibling(): SyntaxNode | null {
    const s = this.parent?.children;
    return s ? (s[s.indexOf(this) + 1] ?? null) : null;
  }

  get previousSibling(): SyntaxNode | null {
    const s = this.parent?.children;
    return s ? (s[s.indexOf(this) - 1] ?? null) : null;
  }

  get nextNamedSibling(): SyntaxNode | null {
    const s = this.parent?.namedChildren;
    return s ? (s[s.indexOf(this) + 1] ?? null) : null;
  }

  get previousNamedSibling(): SyntaxNode | null {
    const s = this.parent?.namedChildren;
    return s ? (s[s.indexOf(this) - 1] ?? null) : null;
  }

  get hasError(): boolean {
    return false;
  }

  get isMissing(): boolean {
    return false;
  }

  get isError(): boolean {
    return this.type === 'ERROR';
  }

  get isExtra(): boolean {
    return this.type === 'comment';
  }

  equals(other: SyntaxNode): boolean {
    return this === other;
  }

  childForFieldName(name: string): SyntaxNode | null {
    for (const c of this.children) if (c.field === name) return c;
    return null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    return this.children.filter((c) => c.field === name);
  }

  fieldNameForChild(i: number): string | null {
    return this.children[i]?.field ?? null;
  }

  /** Descendants of the given types (the node itself included), in source order. */
  descendantsOfType(types: string | string[]): SyntaxNode[] {
    const list = typeof types === 'string' ? [types] : types;
    let out: SyntaxNode[] | undefined;
    let lists = 0;
    for (const t of list) {
      const all = this.tree.byType.get(t);
      if (!all?.length) continue;
      const lo = lowerBound(all, this.index);
      let hi = lo;
      while (hi < all.length && all[hi].index <= this.last) hi++;
      if (hi === lo) continue;
      lists++;
      if (!out) out = all.slice(lo, hi);
      else for (let i = lo; i < hi; i++) out.push(all[i]);
    }
    if (!out) return [];
    // A node whose end is the start of the file is skipped, with its subtree (as tree-sitter does).
    if (out[0].endIndex === 0) out = out.filter((n) => n.endIndex > 0);
    if (lists > 1) out.sort((a, b) => a.index - b.index);
    return out;
  }

  /** The smallest node (named or not) that spans [start, end], as tree-sitter's `descendantForIndex`. */
  descendantForIndex(start: number, end: number = start): SyntaxNode | null {
    if (start > end) return null;
    let node: SyntaxNode = this;
    for (let descended = true; descended; ) {
      descended = false;
      for (const child of node.children) {
        const childEnd = child.endIndex;
        if (childEnd < end) continue;
        const empty = child.startIndex === childEnd;
        if (empty ? childEnd < start : childEnd <= start) continue;
        if (start < child.startIndex) break;
        node = child;
        descended = true;
        break;
      }
    }
    return node;
  }

  /** Per-node memo for derived facts (used by the extractors' caches). */
  memoize<T>(key: string, compute: () => T): T {
    const m = (this.memo ??= new Map());
    if (m.has(key)) return m.get(key) as T;
    const v = compute();
    m.set(key, v);
    return v;
  }
}

function lowerBound(nodes: readonly SyntaxNode[], index: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid].index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Types whose text may not be covered by their children's, because the grammar gives them hidden tokens at an
 * edge: the module (blank lines and comments around it), blocks (a `match` block starts at its indent),
 * decorators (the newline), string content (text between escape sequences), format specifiers (`:06d`). They
 * read their offsets from the cursor. test/engine/python-tree.test.ts compares the copy with tree-sitter's nodes.
 */
const OWN_OFFSETS = new Set(['module', 'block', 'decorator', 'string_content', 'format_specifier']);

/** Node types (named) whose children never fill a field: no need to ask the cursor for a field name. */
let fieldless: Set<string> | undefined;
function fieldlessTypes(): Set<string> {
  if (!fieldless) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const types = require('tree-sitter-python/src/node-types.json') as { type: string; named: boolean; fields?: Record<string, unknown>; subtypes?: unknown }[];
    fieldless = new Set(types.filter((t) => t.named && !t.subtypes && !Object.keys(t.fields ?? {}).length).map((t) => t.type));
  }
  return fieldless;
}

/** Whitespace the grammar skips between tokens (its `extras` pattern). */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xfeff || c === 0x2060 || c === 0x200b || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Copies a (syntax-error-free) tree-sitter tree into plain JS objects, in one cursor walk. Each cursor call
 * crosses into WASM, so it asks only what it must: the type of every node, the field name only under parents
 * whose type has fields, the offsets of named leaves. A parent spans its first to its last child; an anonymous
 * token (`(`, `def`, `==`) starts at the first non-blank character after the previous token and is as long as its
 * type, which is checked against the text (else the cursor is asked).
 */
export function mirrorTree(tree: Tree, source: string): SyntaxTree {
  const out = new SyntaxTree(source);
  const lang = tree.language;
  const typeNames = lang.types;
  const fieldNames = lang.fields;
  const noFields = fieldlessTypes();
  const namedById: (boolean | undefined)[] = [];
  const cursor = tree.walk();
  /** End of the last token copied (tokens come in source order). */
  let pos = 0;
  try {
    const stack: SyntaxNode[] = [];
    /** Children of the open nodes, collected here and copied into exactly sized arrays when a node closes. */
    const pending: SyntaxNode[] = [];
    const bases: number[] = [];
    const byTypeId: SyntaxNode[][] = [];
    /** Lists by type name (aliases give one name several ids: merged in source order). */
    const finish = () => {
      for (let id = 0; id < byTypeId.length; id++) {
        const list = byTypeId[id];
        if (!list) continue;
        const name = list[0].type;
        const had = out.byType.get(name);
        out.byType.set(name, had ? [...had, ...list].sort((a, b) => a.index - b.index) : list);
      }
      return out;
    };
    let index = 0;
    const make = (parent: SyntaxNode | null): SyntaxNode => {
      const typeId = cursor.nodeTypeId;
      let named = namedById[typeId];
      if (named === undefined) named = namedById[typeId] = lang.nodeTypeIsNamed(typeId);
      const type = typeNames[typeId] || 'ERROR';
      const fieldId = parent && !noFields.has(parent.type) ? cursor.currentFieldId : 0;
      const node = new SyntaxNode(out, type, named, fieldId ? (fieldNames[fieldId] ?? null) : null, -1, -1);
      node.index = index++;
      node.parent = parent;
      if (parent) pending.push(node);
      let list = byTypeId[typeId];
      if (!list) byTypeId[typeId] = list = [];
      list.push(node);
      return node;
    };
    /** A node is done: its offsets. */
    const close = (node: SyntaxNode) => {
      const kids = node.children;
      if (kids.length && !OWN_OFFSETS.has(node.type)) {
        node.startIndex = kids[0].startIndex;
        node.endIndex = kids[kids.length - 1].endIndex;
        return;
      }
      if (!node.isNamed && !kids.length) {
        let at = pos;
        while (at < source.length && isBlank(source.charCodeAt(at))) at++;
        if (source.startsWith(node.type, at)) {
          node.startIndex = at;
          node.endIndex = pos = at + node.type.length;
          return;
        }
      }
      node.startIndex = cursor.startIndex;
      node.endIndex = cursor.endIndex;
      if (node.endIndex > pos) pos = node.endIndex;
    };
    /** Anonymous tokens have no children (but `not in` / `is not`, aliases of two tokens, do). */
    const isToken = (node: SyntaxNode) => !node.isNamed && !node.type.includes(' ');
    let node = make(null);
    out.rootNode = node;
    for (;;) {
      if (!isToken(node) && cursor.gotoFirstChild()) {
        stack.push(node);
        bases.push(pending.length);
        node = make(node);
        continue;
      }
      node.last = node.index;
      close(node);
      for (;;) {
        if (!stack.length) return finish();
        if (cursor.gotoNextSibling()) {
          node = make(stack[stack.length - 1]);
          break;
        }
        cursor.gotoParent();
        node = stack.pop()!;
        const base = bases.pop()!;
        node.children = pending.slice(base);
        pending.length = base;
        node.last = index - 1;
        close(node);
      }
    }
  } finally {
    cursor.delete();
  }
}

// ---------------------------------------------------------------------------------------------------

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
