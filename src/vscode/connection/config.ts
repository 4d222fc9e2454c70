// Connection settings (`pgready.connection.*`), the workspace `.env` and libpq's PG* environment variables,
// read and turned into a URL and a label. Pure: no vscode import, so it is unit-tested without an editor.
// A password never passes through settings: it comes from SecretStorage (or PGPASSWORD) and only ever lands
// in the URL handed to the db layer, in memory.
import type { ConfigurationLike } from '../settings';

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface ConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode | '';
  /** The user marked this database as production: pgready refuses writes there (even rolled back). */
  production: boolean;
}

export interface ExplainSettings {
  /** Generated rows per table in the embedded shadow database (0: tables stay empty). */
  shadowRows: number;
  statementTimeoutMs: number;
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Reads `pgready.connection.*`; invalid values fall back to libpq's defaults. */
export function readConnectionSettings(config: ConfigurationLike): ConnectionSettings {
  const port = config.get<unknown>('connection.port');
  const sslmode = str(config.get('connection.sslmode'));
  return {
    host: str(config.get('connection.host')),
    port: typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : 5432,
    database: str(config.get('connection.database')),
    user: str(config.get('connection.user')),
    sslmode: (SSL_MODES as readonly string[]).includes(sslmode) ? (sslmode as SslMode) : '',
    production: config.get<boolean>('connection.production') === true,
  };
}

export function readExplainSettings(config: ConfigurationLike): ExplainSettings {
  const rows = config.get<unknown>('shadow.rows');
  const timeout = config.get<unknown>('explain.statementTimeoutMs');
  return {
    shadowRows: typeof rows === 'number' && Number.isFinite(rows) && rows > 0 ? Math.min(Math.floor(rows), 1_000_000) : 0,
    statementTimeoutMs: typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 100 ? Math.floor(timeout) : 10_000,
  };
}

/** A connection is configured once a host is set; everything else has libpq defaults. */
export function isConfigured(s: ConnectionSettings): boolean {
  return s.host !== '';
}

/** The user name libpq would use: the setting, else `postgres`. */
function userOf(s: ConnectionSettings): string {
  return s.user || 'postgres';
}

/** `user@host/db` (with `:port` when not 5432), for the status bar and messages. Never holds a password. */
export function connectionLabel(s: ConnectionSettings): string {
  const user = userOf(s);
  return `${user}@${s.host}${s.port === 5432 ? '' : `:${s.port}`}/${s.database || user}`;
}

/** The URL for the db layer. The password, when given, is percent-encoded into it and nowhere else. */
export function connectionUrl(s: ConnectionSettings, password?: string): string {
  const user = encodeURIComponent(userOf(s));
  const pw = password ? `:${encodeURIComponent(password)}` : '';
  // An IPv6 address goes in brackets; a Unix-socket directory (`/var/run/postgresql`) is percent-encoded,
  // which pg-connection-string decodes back into a socket host.
  const host = s.host.startsWith('/') ? encodeURIComponent(s.host) : s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  const query = s.sslmode ? `?sslmode=${s.sslmode}` : '';
  return `postgresql://${user}${pw}@${host}:${s.port}/${encodeURIComponent(s.database || userOf(s))}${query}`;
}

/** The SecretStorage key of the password for this user at this server and database. */
export function secretKey(s: ConnectionSettings): string {
  return `pgready.connection.password:${connectionLabel(s)}`;
}

/** `DATABASE_URL` from a `.env` file's text (`export`, quotes and trailing comments understood), if set. */
export function dotenvDatabaseUrl(text: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?DATABASE_URL\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let v = m[1].trim();
    const q = v[0];
    if ((q === '"' || q === "'") && v.indexOf(q, 1) > 0) v = v.slice(1, v.indexOf(q, 1));
    else v = v.replace(/\s+#.*$/, '').trim();
    found = v || undefined; // the last assignment wins, as with dotenv
  }
  return found && /^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i.test(found) ? found : undefined;
}

/** `user@host/db` from a URL (SQLAlchemy driver suffixes understood), for labels. Drops the password. */
export function urlLabel(url: string): string {
  try {
    const u = new URL(url.trim().replace(/^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i, 'postgresql://'));
    const user = decodeURIComponent(u.username) || 'postgres';
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || user;
    return `${user}@${u.hostname || 'localhost'}${u.port && u.port !== '5432' ? `:${u.port}` : ''}/${db}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** The libpq variables that say where to connect. PGSSLMODE and PGPASSWORD alone name no server. */
const PG_TARGET_VARS = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER'] as const;

/**
 * libpq's PGHOST/PGHOSTADDR, PGPORT, PGDATABASE, PGUSER and PGSSLMODE as connection settings, when any of
 * the first four is set; libpq's defaults otherwise (localhost, 5432, the OS user, a database named after
 * the user), as the CLI does. A host or port list (`h1,h2`) gives its first entry: pg connects to one host.
 * PGPASSWORD is not part of the result (see `chooseConnection`).
 */
export function envConnectionSettings(env: Readonly<Record<string, string | undefined>>): Omit<ConnectionSettings, 'production'> | undefined {
  const v = (k: string) => (env[k] ?? '').trim();
  if (!PG_TARGET_VARS.some((k) => v(k))) return undefined;
  const first = (k: string) => v(k).split(',')[0].trim();
  const port = Number(first('PGPORT'));
  const sslmode = v('PGSSLMODE');
  return {
    host: first('PGHOST') || first('PGHOSTADDR') || 'localhost',
    port: /^\d+$/.test(first('PGPORT')) && port > 0 && port < 65536 ? port : 5432,
    database: v('PGDATABASE'),
    user: v('PGUSER') || v('USER') || v('USERNAME') || 'postgres',
    sslmode: (SSL_MODES as readonly string[]).includes(sslmode) ? (sslmode as SslMode) : '',
  };
}

export type ChosenConnection =
  | { source: 'settings'; settings: ConnectionSettings }
  | { source: 'dotenv'; url: string }
  /** `password` is PGPASSWORD: for the in-memory URL only, never for settings, labels or logs. */
  | { source: 'env'; settings: ConnectionSettings; password?: string };

/**
 * Where EXPLAIN and the live checks connect, first match wins: the `pgready.connection.*` settings (a host
 * is set), then `DATABASE_URL` from the folder's `.env` (`dotenvUrl` resolves it only once the user allowed
 * it, and may ask; it is not called when the settings already name a server), then libpq's PG* variables.
 * Undefined: none of them, so EXPLAIN uses the embedded database. `pgready.connection.production` marks
 * whichever is chosen.
 */
export async function chooseConnection(inputs: {
  settings: ConnectionSettings;
  dotenvUrl: () => Promise<string | undefined>;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<ChosenConnection | undefined> {
  const { settings, env } = inputs;
  if (isConfigured(settings)) return { source: 'settings', settings };
  const url = await inputs.dotenvUrl();
  if (url) return { source: 'dotenv', url };
  const fromEnv = envConnectionSettings(env);
  if (!fromEnv) return undefined;
  const password = env.PGPASSWORD || undefined;
  return { source: 'env', settings: { ...fromEnv, production: settings.production }, ...(password ? { password } : {}) };
}
