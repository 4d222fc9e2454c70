import type { Frontend } from '../frontend';
import { extractAlembic } from './alembic';
import { mirrorTree } from './ast';
import { makeContext } from './context';
import { extractClients } from './clients';
import { extractDjango } from './django-frontend';
import { extractModels } from './models';
import { pythonParser } from './parser';
import { extractQueries } from './queries';
import { extractRawSql } from './rawsql';
import { extractWrites } from './writes';

// The Python front end: one tree-sitter parse per file, then each extractor reads the same tree.
// Order matters where one extractor reads another's facts (writes/uniqueness read the queries found first).

export const pythonFrontend: Frontend = {
  language: 'python',
  accepts: (path) => path.endsWith('.py') || path.endsWith('.pyi'),
  extract({ path, text, lines, settings }, facts) {
    const tree = pythonParser().parse(text);
    if (!tree) {
      facts.problems.push({ file: path, message: 'could not be parsed as Python' });
      return;
    }
    let deleted = false;
    try {
      if (tree.rootNode.hasError) {
        const err = tree.rootNode.descendantsOfType(['ERROR'])[0] ?? findMissing(tree.rootNode);
        const span = err ? lines.span(path, err.startIndex, err.endIndex) : undefined;
        facts.problems.push({ file: path, message: `Python syntax error${span ? ` at line ${span.line}` : ''}; file skipped`, line: span?.line, column: span?.column, span });
        return;
      }
      const mirror = mirrorTree(tree, text);
      tree.delete();
      deleted = true;
      const ctx = makeContext(path, text, lines, mirror, settings);
      extractModels(ctx, facts);
      extractAlembic(ctx, facts);
      extractQueries(ctx, facts);
      extractRawSql(ctx, facts);
      extractClients(ctx, facts);
      extractDjango(ctx, facts);
      extractWrites(ctx, facts);
    } finally {
      if (!deleted) tree.delete();
    }
  },
};

function findMissing(node: import('web-tree-sitter').Node): import('web-tree-sitter').Node | undefined {
  if (node.isMissing) return node;
  for (const c of node.children) {
    if (c && c.hasError) {
      const m = findMissing(c);
      if (m) return m;
    }
  }
  return node.isMissing ? node : undefined;
}
