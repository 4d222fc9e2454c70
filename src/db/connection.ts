import { Client, type ClientConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';

// Connections to a real PostgreSQL server. Every session pgready opens is labelled (application_name),
// bounded (statement_timeout, lock_timeout, a client-side query timeout for a server that stops answering)
// and read-only by default. Every failure is turned into one clear line (`DbError`), within bounded time.

/** The one interface explain/catalog code uses, implemented by a server connection and by PGlite. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** `server_version_num`, e.g. 150020, 180006. */
  readonly serverVersionNum: number;
  /** "PostgreSQL 15.20 at 127.0.0.1:5432/test", "embedded PGlite (PostgreSQL 18.6)". */
  readonly label: string;
  /** One statement, extended protocol when `params` are given. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Simple protocol, possibly several statements; the rows of each statement's result. No parameters. */
  simple(sql: string): Promise<Record<string, unknown>[][]>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** `postgres://…`, `postgresql://…`, or a SQLAlchemy URL (`postgresql+asyncpg://…`). Empty: libpq PG* variables. */
  url?: string;
  /** Where PG* variables come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Server-side limit for each statement, ms (default 10 000). */
  statementTimeoutMs?: number;
  /** How long to wait for a lock, ms (default 3 000). */
  lockTimeoutMs?: number;
  /** How long to wait for the connection (DNS, TCP, TLS, auth), ms (default 5 000). */
  connectTimeoutMs?: number;
  /** `default_transaction_read_only = on` for the session (default true). */
  readOnly?: boolean;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 3_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** A database failure as one line a user can act on. `code` is the SQLSTATE or the socket error code. */
export class DbError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DbError';
  }
}

/**
 * Normalises the URLs applications keep in their settings: SQLAlchemy's `postgresql+asyncpg://` and
 * `postgresql+psycopg://` drop the driver, `postgres://` and `postgresql://` are both accepted.
 */
export function normalizeUrl(url: string): string {
  return url.trim().replace(/^(postgres(?:ql)?)\+[a-z0-9_]+:\/\//i, 'postgresql://').replace(/^postgres:\/\//i, 'postgresql://');
}

/** The URL without its password, for labels and messages. */
export function redactUrl(url: string): string {
  return normalizeUrl(url).replace(/^(postgresql:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

interface Target {
  config: ClientConfig;
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * libpq's sslmode as pg's `ssl` option, the same for a URL's `?sslmode=` and PGSSLMODE: `require` encrypts
 * without checking the certificate (what psql does; pg-connection-string would make it verify-full),
 * `verify-ca`/`verify-full` check it, `disable` does not encrypt. `allow` and `prefer` connect without TLS:
 * pg cannot retry the other way as libpq does. pg's own `no-verify` is `require`.
 */
export function sslForMode(sslmode: string | undefined): ClientConfig['ssl'] {
  if (!sslmode || sslmode === 'disable' || sslmode === 'allow' || sslmode === 'prefer') return undefined;
  return sslmode === 'verify-full' || sslmode === 'verify-ca' ? true : { rejectUnauthorized: false };
}

/** Takes `sslmode` out of a URL's query, so it is read with libpq's meaning (see `sslForMode`). */
function takeSslmode(url: string): { url: string; sslmode?: string } {
  const m = /[?&]sslmode=([^&#]*)/i.exec(url);
  if (!m) return { url };
  let sslmode: string;
  try {
    sslmode = decodeURIComponent(m[1]);
  } catch {
    sslmode = m[1];
  }
  const rest = url.replace(/([?&])sslmode=[^&#]*(&?)/i, (_, sep: string, amp: string) => (amp ? sep : '')).replace(/\?(?=#|$)/, '');
  return { url: rest, sslmode };
}

/** Resolves a URL (or, when empty, libpq's PG* variables) to a pg client config. */
export function resolveTarget(opts: ConnectOptions): Target {
  const env = opts.env ?? process.env;
  const given = opts.url && opts.url.trim() ? takeSslmode(normalizeUrl(opts.url)) : undefined;
  const fromUrl: Record<string, unknown> = given ? (parseConnectionString(given.url) as Record<string, unknown>) : {};
  // asyncpg URLs say `?ssl=require`; pg-connection-string reads `sslmode`.
  if (fromUrl.ssl === 'require' || fromUrl.ssl === 'prefer') fromUrl.ssl = { rejectUnauthorized: false };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const host = str(fromUrl.host) ?? env.PGHOST ?? env.PGHOSTADDR ?? 'localhost';
  const port = Number(str(fromUrl.port) ?? env.PGPORT ?? 5432);
  const user = str(fromUrl.user) ?? env.PGUSER ?? env.USER ?? 'postgres';
  const database = str(fromUrl.database) ?? env.PGDATABASE ?? user;
  const password = str(fromUrl.password) ?? env.PGPASSWORD;
  // The URL's sslmode wins over PGSSLMODE, as in libpq. `?ssl=…` or a certificate (`sslrootcert`) in the
  // URL already made pg-connection-string's `ssl` object; sslmode=disable still turns it off.
  const sslmode = str(given?.sslmode) ?? env.PGSSLMODE;
  const ssl = sslmode === 'disable' ? false : ((fromUrl.ssl as ClientConfig['ssl']) ?? sslForMode(sslmode));
  const config: ClientConfig = {
    host,
    port,
    user,
    database,
    password,
    ssl,
    application_name: 'pgready',
    connectionTimeoutMillis: opts.connectTimeoutMs ?? (env.PGCONNECT_TIMEOUT ? Number(env.PGCONNECT_TIMEOUT) * 1000 : DEFAULT_CONNECT_TIMEOUT_MS),
    // A server that stops answering (network gone, host frozen) never sends statement_timeout's error;
    // the client gives up a little after the server would have.
    query_timeout: (opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS) + 2_000,
    keepAlive: true,
  };
  return { config, host, port, database, user };
}

/** Opens a session: connect, then one round trip to set the timeouts, read-only mode and read the version. */
export async function connect(opts: ConnectOptions = {}): Promise<Db> {
  const target = resolveTarget(opts);
  const where = `${target.host}:${target.port}/${target.database}`;
  const client = new Client(target.config);
  // An error on an idle client (server restart) must not crash the process; the next query reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw describeError(e, { where, user: target.user, timeoutMs: target.config.connectionTimeoutMillis, phase: 'connect' });
  }
  const statementTimeout = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const lockTimeout = opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let versionNum = 0;
  let version = '';
  try {
    const res = (await client.query(
      `SET statement_timeout = ${Math.max(0, Math.floor(statementTimeout))}; SET lock_timeout = ${Math.max(0, Math.floor(lockTimeout))};` +
        ` SET idle_in_transaction_session_timeout = ${Math.max(60_000, statementTimeout * 3)};` +
        (opts.readOnly === false ? '' : ' SET default_transaction_read_only = on;') +
        ` SELECT current_setting('server_version_num')::int AS n, current_setting('server_version') AS v`,
    )) as unknown as { rows: { n: number; v: string }[] }[];
    const last = res[res.length - 1];
    versionNum = last.rows[0].n;
    version = last.rows[0].v.split(' ')[0];
  } catch (e) {
    await client.end().catch(() => undefined);
    throw describeError(e, { where, user: target.user, timeoutMs: statementTimeout, phase: 'setup' });
  }
  return new PgDb(client, versionNum, `PostgreSQL ${version} at ${where}`, { where, user: target.user, timeoutMs: statementTimeout });
}

interface ErrorContext {
  where: string;
  user?: string;
  timeoutMs?: number;
  phase: 'connect' | 'setup' | 'query';
}

class PgDb implements Db {
  readonly kind = 'postgres' as const;
  private closed = false;

  constructor(
    private readonly client: Client,
    readonly serverVersionNum: number,
    readonly label: string,
    private readonly ctx: Omit<ErrorContext, 'phase'>,
  ) {}

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      const res = await this.client.query(sql, params as unknown[] | undefined);
      return res.rows as T[];
    } catch (e) {
      throw describeError(e, { ...this.ctx, phase: 'query' });
    }
  }

  async simple(sql: string): Promise<Record<string, unknown>[][]> {
    try {
      const res = (await this.client.query(sql)) as unknown as { rows: Record<string, unknown>[] } | { rows: Record<string, unknown>[] }[];
      return Array.isArray(res) ? res.map((r) => r.rows ?? []) : [res.rows ?? []];
    } catch (e) {
      throw describeError(e, { ...this.ctx, phase: 'query' });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // end() waits for the server's goodbye; a dead server must not make closing hang.
    await Promise.race([this.client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }
}

/** Maps pg and socket errors to one line that says what happened and what to check. */
export function describeError(e: unknown, ctx: ErrorContext): DbError {
  if (e instanceof DbError) return e;
  const err = e as { code?: string; message?: string; errno?: string };
  const code = err?.code;
  const msg = String(err?.message ?? e);
  const secs = (ms?: number) => (ms === undefined ? '' : ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
  const at = ctx.where;
  const line = (() => {
    switch (code) {
      case '28P01':
        return `Authentication failed for user "${ctx.user}" at ${at}: wrong password.`;
      case '28000':
        return `The server at ${at} refused user "${ctx.user}": ${msg} (check pg_hba.conf, user and database).`;
      case '3D000':
        return `Database does not exist at ${at}: ${msg}.`;
      case '57014':
        return /statement timeout/.test(msg) ? `The statement was cancelled after statement_timeout (${secs(ctx.timeoutMs)}) at ${at}.` : `The statement was cancelled at ${at}: ${msg}.`;
      case '55P03':
        return `Gave up waiting for a lock (lock_timeout) at ${at}: another session holds it.`;
      case '57P01':
      case '57P02':
      case '57P03':
        return `The server at ${at} ended the session: ${msg}.`;
      case '53300':
        return `The server at ${at} has no free connections: ${msg}.`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `Unknown host: cannot resolve "${at.split(':')[0]}".`;
      case 'ECONNREFUSED':
        return `Connection refused at ${at.split('/')[0]}: is PostgreSQL running and listening there?`;
      case 'ECONNRESET':
      case 'EPIPE':
        return `The connection to ${at} was reset${ctx.phase === 'query' ? ' while a query was running' : ''}.`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `Cannot reach ${at.split('/')[0]} (${code}).`;
    }
    if (/timeout expired|connection timeout/i.test(msg)) return `Timed out after ${secs(ctx.timeoutMs)} connecting to ${at.split('/')[0]}.`;
    if (/Query read timeout/i.test(msg)) return `The server at ${at} stopped answering: no reply within ${secs((ctx.timeoutMs ?? 0) + 2000)}.`;
    if (/Connection terminated/i.test(msg)) return ctx.phase === 'connect' ? `The server at ${at} closed the connection during start-up: ${msg}.` : `The server at ${at} went away while a query was running (${msg}).`;
    if (/SCRAM|password must be a string|client password/i.test(msg)) return `The server at ${at} asks for a password for user "${ctx.user}" and none was given (set it in the URL, PGPASSWORD or ~/.pgpass).`;
    if (/does not support SSL|SSL/i.test(msg)) return `SSL problem with ${at}: ${msg}.`;
    if (/Client has already been connected|not queryable|Client was closed/i.test(msg)) return `The connection to ${at} is closed.`;
    return `${msg.replace(/\s+/g, ' ').replace(/\.$/, '')}${code && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''}.`;
  })();
  return new DbError(line, code, e);
}
