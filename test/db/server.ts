import { connect, redactUrl, type Db } from '../../src/db/connection';

// The real PostgreSQL server the database suites run against (CI starts one on 127.0.0.1:5432), and the
// scratch databases they make on it.

export const TEST_DB_URL = process.env.PGREADY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The same server URL with another database. */
export function withDatabase(url: string, database: string): string {
  const u = new globalThis.URL(url.replace(/^postgres(ql)?(\+\w+)?:/, 'postgresql:'));
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database name no other run uses: `<prefix>_<pid>_<random>`. */
export function scratchName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A writable session on the server's `postgres` database (to create and drop scratch databases), or the
 * suite is skipped, saying why, when no server answers.
 */
export async function adminOrSkip(ctx: Mocha.Context): Promise<Db> {
  try {
    return await connect({ url: withDatabase(TEST_DB_URL, 'postgres'), readOnly: false, connectTimeoutMs: 3000 });
  } catch (e) {
    console.log(`      (skipped: no PostgreSQL at ${redactUrl(TEST_DB_URL)}: ${(e as Error).message})`);
    ctx.skip();
  }
}
