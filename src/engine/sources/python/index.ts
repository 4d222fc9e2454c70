import type { FileFacts } from '../../facts';
import { timed } from '../../profile';
import type { Frontend } from '../frontend';
import { extractAlembic } from './alembic';
import { mirrorTree } from './ast';
import { makeContext, type PyContext } from './context';
import { extractClients } from './clients';
import { extractDjango } from './django-frontend';
import { extractModels } from './models';
import { pythonParser } from './parser';
import { extractQueries } from './queries';
import { extractRawSql } from './rawsql';
import { extractWrites } from './writes';

// The Python front end: one tree-sitter parse per file, then each extractor reads the same tree.
// Order matters where one extractor reads another's facts (writes/uniqueness read the queries found first).
// Extractors whose trigger words do not occur in the text are not run (most modules of a real project are not
// database code); each trigger is a superset of what its extractor looks for, so skipping changes no facts.

/** rawsql.ts: the DB-API/asyncpg execute methods and SQLAlchemy's text(). */
const RAW_SQL_TRIGGER = /\b(execute|executemany|exec_driver_sql|fetch|fetchrow|fetchval|executescript|text)\b/;
/**
 * clients.ts: engine/pool/connection factories, Flask-SQLAlchemy engine options, connect listeners, password
 * hashers (and, tested separately, case-insensitively, `postgres` for literal connection URLs).
 */
const CLIENT_TRIGGER = /create_engine|create_async_engine|engine_from_config|create_pool|\bconnect\b|ConnectionPool|\bSQLAlchemy\b|SQLALCHEMY_ENGINE_OPTIONS|listens_for|CryptContext|hashpw|PasswordHasher|generate_password_hash|scrypt|pbkdf2_hmac|make_password|\bhash\b/;

export const pythonFrontend: Frontend = {
  language: 'python',
  accepts: (path) => path.endsWith('.py') || path.endsWith('.pyi'),
  extract({ path, text, lines, settings }, facts) {
    const tree = timed('python parse', () => pythonParser().parse(text));
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
      const mirror = timed('python tree copy', () => mirrorTree(tree, text));
      tree.delete();
      deleted = true;
      const ctx = makeContext(path, text, lines, mirror, settings);
      const run = (name: string, extractor: (ctx: PyContext, facts: FileFacts) => void) => timed(`python ${name}`, () => extractor(ctx, facts));
      run('models', extractModels);
      run('alembic', extractAlembic);
      run('queries', extractQueries);
      if (RAW_SQL_TRIGGER.test(text)) run('rawsql', extractRawSql);
      if (CLIENT_TRIGGER.test(text) || /postgres/i.test(text)) run('clients', extractClients);
      run('django', extractDjango);
      run('writes', extractWrites);
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
