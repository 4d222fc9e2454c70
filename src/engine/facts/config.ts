import type { Span } from '../types';

/** A place where the application creates its database engine, pool or client, with the settings it passes. */
export interface DbClientConfig {
  span: Span;
  /** 'create_engine' | 'create_async_engine' | 'asyncpg.create_pool' | 'psycopg_pool' | 'psycopg.connect' | 'flask-sqlalchemy' | 'django' | 'pg.Pool' | 'prisma' | … */
  kind: string;
  /** Session settings the connections get; absent means not set (a value of undefined is "not found"). */
  timeouts: {
    statement_timeout?: string;
    lock_timeout?: string;
    idle_in_transaction_session_timeout?: string;
  };
  /**
   * False when the code passes settings the front end cannot see into (a variable, **kwargs), so a missing
   * timeout is not certain: rules then stay silent.
   */
  settingsKnown: boolean;
  poolPrePing?: boolean;
  poolSize?: number;
  /** The environment variable the connection URL is read from (Prisma `env("DATABASE_URL")`), when the URL is not literal. */
  urlEnv?: string;
  maxOverflow?: number;
  /** Span of the argument (connect_args / server_settings / options) where a timeout belongs, for the quick fix. */
  settingsSpan?: Span;
  code: string;
  /** The DB driver the client talks through when known ('asyncpg', 'psycopg', 'psycopg2'…): decides how a timeout is passed. */
  driver?: string;
  poolRecycle?: number;
  /** For kind 'connect-listener' (an `event.listens_for(x, "connect")` handler running SET …): the target as written. */
  listenerTarget?: string;
  /** SQLAlchemy `poolclass=` as written (`NullPool`, `pool.NullPool`): a NullPool keeps no connection to go stale. */
  poolClass?: string;
  /** Django `CONN_MAX_AGE` as written (`60`, `None`, `0`, `env.int(…)`), and where, for the pool health-check rule. */
  connMaxAge?: string;
  connMaxAgeSpan?: Span;
  /** The name the client is bound to (`pool`, `db.pool`, `this.pool`): where an `.on('error', …)` listener would be attached. */
  binding?: string;
  /** node-postgres Pool/Client: an `'error'` listener is attached in the same file (`pool.on('error', …)` or chained on `new`). */
  errorListener?: boolean;
}

/** A password or secret written literally in a connection URL or settings file. */
export interface HardcodedCredential {
  span: Span;
  /** What holds it: "DATABASE_URL in .env", "create_engine URL". */
  where: string;
}

/** Things found in the repository that show an operational practice exists. */
export type EvidenceKind =
  | 'backup' // pg_dump / pg_basebackup in cron or scripts, pgBackRest / WAL-G / barman config, managed-DB backup settings
  | 'monitoring' // pg_stat_statements enabled, postgres_exporter, Datadog/NewRelic postgres integration
  | 'password-hashing'; // bcrypt / argon2 / scrypt / pbkdf2 used for passwords

export interface Evidence {
  kind: EvidenceKind;
  /** Short description: "pg_dump in scripts/backup.sh", "postgres_exporter in docker-compose.yml". */
  what: string;
  span: Span;
}
