import type { Node, Tree } from 'web-tree-sitter';
import type { Settings } from '../../settings';
import type { LineIndex } from '../../text';
import type { Span } from '../../types';
import { spanOf } from './ast';

/** What every Python extractor gets: one parse of the file, shared. */
export interface PyContext {
  path: string;
  text: string;
  lines: LineIndex;
  tree: Tree;
  root: Node;
  settings: Settings;
  span(node: Node): Span;
}

export function makeContext(path: string, text: string, lines: LineIndex, tree: Tree, settings: Settings): PyContext {
  return { path, text, lines, tree, root: tree.rootNode, settings, span: (n) => spanOf(n, path, lines) };
}
