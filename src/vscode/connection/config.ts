// Connection settings (`pgready.connection.*`) and the workspace `.env`, read and turned into a URL and a
// label. Pure: no vscode import, so it is unit-tested without an editor. The password never passes through
// settings: it comes from SecretStorage and only ever lands in the URL handed to the db layer.
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
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
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
