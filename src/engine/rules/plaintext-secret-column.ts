import type { ColumnWrite } from '../facts/queries';
import type { Column, Table } from '../facts/schema';
import { defineRule } from '../rule';
import { secretHelp } from '../sources/typescript/help';

// A column whose name says it holds a credential (API token, reset code, refresh token…) stored as text and
// written unhashed: whoever reads the table — a backup, a replica, a leaked dump, one SQL injection — can
// log in as every user.

const SECRET_NAME = /(^|_)(token|api_?key|secret|secret_key|private_key|signing_key|encryption_key|access_key|client_secret|otp|otp_code|totp_secret|reset_code|verification_code|confirmation_code|recovery_code|password|passwd)$/;
const NOT_SECRET = /(_hash|_hashed|_digest|_prefix|_suffix|_type|_hint|_last4|_at|_id|_count|_version|_enabled|_required|_used|_length|_salt)$|^(csrf_token|token_type)$/;
const TEXT_TYPE = /^(text|character varying|varchar|character|char|citext|bytea|uuid)\b/;

export function isSecretColumn(c: Column): boolean {
  const n = c.name.toLowerCase();
  return SECRET_NAME.test(n) && !NOT_SECRET.test(n) && TEXT_TYPE.test(c.type.toLowerCase());
}

function kindOf(name: string): string {
  if (/password|passwd/.test(name)) return 'passwords';
  if (/api_?key|access_key/.test(name)) return 'API keys';
  if (/refresh_token/.test(name)) return 'refresh tokens';
  if (/reset|recovery/.test(name)) return 'password-reset codes';
  if (/otp|verification|confirmation/.test(name)) return 'one-time codes';
  if (/token/.test(name)) return 'tokens';
  return 'secrets';
}

export default defineRule({
  id: 'plaintext-secret-column',
  category: 'security',
  severity: 'error',
  summary: 'A column that holds credentials (tokens, API keys, reset codes, passwords) stored as plain text: a read of the table is a login as every user.',
  docs: {
    what: 'Finds text/varchar/uuid/bytea columns whose names say they hold a credential (`token`, `api_key`, `refresh_token`, `reset_code`, `otp`, `*_secret`, `password`…; not `password_hash`, `*_digest`, `token_prefix`, `*_expires_at`) where the application writes a value that does not pass through a hash (bcrypt, argon2, hashlib, hmac, a function named `*hash*`). Silent when every write it can see is hashed, or when it sees no write at all.',
    why: 'A bearer token or reset code stored as written is a working credential for anyone who can read the row: a database backup, a read replica, a support SQL console, a log of slow queries, or one SQL injection anywhere in the app. Hashed values are useless to that reader, while the application can still verify them by hashing what the client presents.',
    instead: 'Store a digest and compare digests: `token_hash = hashlib.sha256(token.encode()).hexdigest()` (tokens are random, so a fast hash is enough; use `hmac.new(key, code, "sha256")` for short codes), look rows up by the digest, and show the raw token to the user only once. Passwords: `passlib`/`argon2` hashes, never reversible encryption.',
  },
  examples: {
    bad: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass ApiToken(Base):\n    __tablename__ = "api_tokens"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    token: Mapped[str] = mapped_column(String(64), unique=True)\n',
      'app/tokens.py':
        'import secrets\n\nfrom app.models import ApiToken\n\n\ndef issue(session):\n    token = secrets.token_urlsafe(32)\n    session.add(ApiToken(token=token))\n    return token\n',
    },
    good: {
      'app/models.py':
        'from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\nclass ApiToken(Base):\n    __tablename__ = "api_tokens"\n    id: Mapped[int] = mapped_column(primary_key=True)\n    token: Mapped[str] = mapped_column(String(64), unique=True)\n',
      'app/tokens.py':
        'import hashlib\nimport secrets\n\nfrom app.models import ApiToken\n\n\ndef issue(session):\n    token = secrets.token_urlsafe(32)\n    session.add(ApiToken(token=hashlib.sha256(token.encode()).hexdigest()))\n    return token\n',
    },
  },
  check(ctx) {
    const writes = new Map<string, ColumnWrite[]>();
    for (const w of ctx.facts.columnWrites) {
      if (!w.table) continue;
      const k = `${w.table}.${w.column}`;
      const list = writes.get(k);
      if (list) list.push(w);
      else writes.set(k, [w]);
    }
    const writesOf = (t: Table, c: Column) => [...(writes.get(`${t.name}.${c.name}`) ?? []), ...(c.attribute && c.attribute !== c.name ? (writes.get(`${t.name}.${c.attribute}`) ?? []) : [])];
    for (const table of ctx.facts.schema.tables.values()) {
      for (const col of table.columns) {
        if (!isSecretColumn(col)) continue;
        const ws = writesOf(table, col);
        const plain = ws.filter((w) => !w.hashed);
        if (!plain.length) continue;
        const span = col.span ?? table.span ?? plain[0].span;
        const kind = kindOf(col.name);
        const where = `${plain[0].span.file}:${plain[0].span.line}`;
        const generated = plain.some((w) => w.generatedSecret);
        ctx.report({
          message: `"${table.name}"."${col.name}" stores ${kind} in plain text (written unhashed at ${where}${generated ? ', a freshly generated secret' : ''}): anyone who can read this table — a backup, a replica, one SQL injection — can use every one of them.`,
          help: secretHelp(col.name, col.attribute, kind === 'passwords', plain.map((w) => w.span.file)) ?? (kind === 'passwords'
            ? `Hash passwords before storing them (passlib CryptContext(schemes=["bcrypt"]) or argon2) and store them in a "${col.name}_hash" column.`
            : `Store a digest instead: write hashlib.sha256(${col.name}.encode()).hexdigest() to a "${col.name}_hash" column, look rows up by the digest, and show the raw value to the user only once.`),
          span,
          key: `${table.name}.${col.name}`,
          related: plain.slice(0, 5).map((w) => ({ span: w.span, message: `writes \`${w.value}\` to ${table.name}.${col.name} unhashed` })),
          data: { table: table.name, column: col.name },
        });
      }
    }
    const hashing = ctx.facts.evidence.find((e) => e.kind === 'password-hashing');
    if (hashing) {
      ctx.report({
        strength: true,
        message: `Passwords are hashed with ${hashing.what.replace(/ in [^ ]+$/, '')}.`,
        help: 'Keep hashing passwords with a slow, salted hash (bcrypt/argon2).',
        span: hashing.span,
        key: 'password-hashing',
      });
    }
  },
});
