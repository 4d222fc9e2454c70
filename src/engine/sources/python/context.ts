import type { Node } from 'web-tree-sitter';
import type { Settings } from '../../settings';
import type { LineIndex } from '../../text';
import type { Span } from '../../types';
import { spanOf, type SyntaxTree } from './ast';

/** What every Python extractor gets: one parse of the file, shared. */
export interface PyContext {
  path: string;
  text: string;
  lines: LineIndex;
  /** The plain-JS copy of the parse (see `mirrorTree` in ast.ts): nodes by type, in source order. */
  tree: SyntaxTree;
  /**
   * The module node. A `SyntaxNode` (ast.ts), typed as web-tree-sitter's `Node` because it implements the part
   * of that API the extractors use; it never touches WASM.
   */
  root: Node;
  settings: Settings;
  span(node: Node): Span;
  /** Nodes of one type in the whole file, in source order (no tree walk). */
  all(type: string): Node[];
}

export function makeContext(path: string, text: string, lines: LineIndex, tree: SyntaxTree, settings: Settings): PyContext {
  return {
    path,
    text,
    lines,
    tree,
    root: tree.rootNode as unknown as Node,
    settings,
    span: (n) => spanOf(n, path, lines),
    all: (type) => tree.ofType(type) as unknown as Node[],
  };
}
