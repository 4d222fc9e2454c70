import type { Node } from 'web-tree-sitter';
import type { DbClientConfig, FileFacts } from '../../facts';
import { callArgs, calleeName, isFalse, isTrue, shortName, stringValue } from './ast';
import type { PyContext } from './context';
import { valueAt } from './taint';
import { literalCredential } from './secrets';

// Where a Python application creates its database engine, pool or connection, and the session settings
// (statement_timeout, lock_timeout, idle_in_transaction_session_timeout) its connections get. Also literal
// passwords in connection URLs and evidence that user passwords are hashed.

type Timeouts = DbClientConfig['timeouts'];
const TIMEOUT_KEYS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const;

interface Settings {
  timeouts: Timeouts;
  known: boolean;
  span?: Node;
}

export function extractClients(ctx: PyContext, facts: FileFacts): void {
  const before = facts.clients.length;
  const imports = ctx.text;
  const flask = /\bflask_sqlalchemy\b/.test(imports);
  for (const call of ctx.root.descendantsOfType('call')) {
    if (!call) continue;
    const name = calleeName(call);
    const short = shortName(name);
    const args = callArgs(call);
    if ((short === 'create_engine' || short === 'create_async_engine' || short === 'engine_from_config') && (name === short || /^(sa|sqlalchemy|sqlalchemy\.ext\.asyncio)\./.test(name))) {
      if (short === 'engine_from_config') continue;
      const url = args.positional[0] ?? args.keywords.get('url');
      const urlText = stringValue(url) ?? (url?.type === 'identifier' ? stringValue(valueAt(url.text, url)?.value) : undefined);
      const driver = urlText ? driverOf(urlText) : short === 'create_async_engine' ? 'asyncpg' : 'psycopg';
      if (urlText && !/^postgres/i.test(urlText)) continue;
      const c = engineOptions(call, args.keywords, args.hasSplat, driver, ctx);
      if (urlText) mergeInto(c.timeouts, fromOptionsString(decodeURIComponent(urlText)));
      push(ctx, facts, call, short, c, driver, args.keywords);
    } else if (/^asyncpg\.(create_pool|connect)$/.test(name)) {
      const s: Settings = { timeouts: {}, known: !args.hasSplat };
      const cmd = args.keywords.get('command_timeout');
      if (cmd) s.timeouts.statement_timeout = `${cmd.text}s (command_timeout)`;
      const ss = args.keywords.get('server_settings');
      if (ss) mergeSettings(s, serverSettings(ss));
      const dsn = stringValue(args.positional[0] ?? args.keywords.get('dsn'));
      if (dsn) mergeInto(s.timeouts, fromOptionsString(decodeURIComponent(dsn)));
      s.span ??= ss;
      push(ctx, facts, call, name, s, 'asyncpg', args.keywords);
    } else if (/^(psycopg_pool\.)?(Async)?ConnectionPool$/.test(name) && /psycopg_pool/.test(imports)) {
      const s: Settings = { timeouts: {}, known: !args.hasSplat };
      const conninfo = stringValue(args.positional[0] ?? args.keywords.get('conninfo'));
      if (conninfo) mergeInto(s.timeouts, fromOptionsString(conninfo));
      const kw = args.keywords.get('kwargs');
      if (kw) {
        s.span = kw;
        if (kw.type !== 'dictionary') s.known = false;
        else mergeSettings(s, optionsIn(dictGet(kw, 'options'), kw));
      }
      push(ctx, facts, call, 'psycopg_pool', s, 'psycopg', args.keywords);
    } else if (/^(psycopg|psycopg2|psycopg\.AsyncConnection|psycopg\.Connection)\.connect$|^psycopg2\.pool\.\w+ConnectionPool$/.test(name)) {
      const s: Settings = { timeouts: {}, known: !args.hasSplat };
      const dsn = stringValue(args.keywords.get('dsn') ?? args.keywords.get('conninfo') ?? args.positional.find((p) => p.type === 'string'));
      if (dsn) mergeInto(s.timeouts, fromOptionsString(dsn));
      const opt = args.keywords.get('options');
      if (opt) {
        s.span = opt;
        mergeSettings(s, optionsIn(opt, opt));
      }
      push(ctx, facts, call, name.startsWith('psycopg2') ? 'psycopg2.connect' : 'psycopg.connect', s, name.startsWith('psycopg2') ? 'psycopg2' : 'psycopg', args.keywords);
    } else if (flask && short === 'SQLAlchemy' && (name === 'SQLAlchemy' || name === 'flask_sqlalchemy.SQLAlchemy')) {
      const eo = args.keywords.get('engine_options');
      const s: Settings = eo ? engineOptionsDict(eo, ctx) : { timeouts: {}, known: !args.hasSplat };
      push(ctx, facts, call, eo ? 'flask-sqlalchemy-config' : 'flask-sqlalchemy', s, 'psycopg', new Map());
    } else if (short === 'update' && /\bconfig\.update$/.test(name)) {
      const eo = args.keywords.get('SQLALCHEMY_ENGINE_OPTIONS');
      if (eo) push(ctx, facts, eo, 'flask-sqlalchemy-config', engineOptionsDict(eo, ctx), 'psycopg', new Map());
    }
  }

  // SQLALCHEMY_ENGINE_OPTIONS = {...} (module or Config class) and app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {...}.
  for (const a of ctx.root.descendantsOfType('assignment')) {
    if (!a) continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (!left || !right) continue;
    const isKey = left.text === 'SQLALCHEMY_ENGINE_OPTIONS' || (left.type === 'subscript' && stringValue(left.childForFieldName('subscript')) === 'SQLALCHEMY_ENGINE_OPTIONS');
    if (!isKey) continue;
    push(ctx, facts, right, 'flask-sqlalchemy-config', engineOptionsDict(right, ctx), 'psycopg', new Map());
  }

  // @event.listens_for(engine, "connect") handlers that run SET statement_timeout count as setting it.
  for (const dec of ctx.root.descendantsOfType('decorator')) {
    const call = dec?.namedChildren[0];
    if (!dec || call?.type !== 'call' || !/(^|\.)listens_for$/.test(calleeName(call))) continue;
    const [target, event] = callArgs(call).positional;
    if (!target || !['connect', 'checkout', 'first_connect'].includes(stringValue(event) ?? '')) continue;
    const def = dec.parent?.namedChildren.find((c) => c?.type === 'function_definition');
    if (!def) continue;
    const timeouts: Timeouts = {};
    for (const s of def.descendantsOfType('string')) {
      const v = stringValue(s);
      if (!v) continue;
      for (const k of TIMEOUT_KEYS) {
        const m = v.match(new RegExp(`\\bSET\\s+(?:SESSION\\s+)?${k}\\s*(?:=|TO)\\s*'?([^';\\s]+)`, 'i'));
        if (m) timeouts[k] = m[1];
      }
    }
    if (!Object.keys(timeouts).length) continue;
    const applies = (c: DbClientConfig) => target.type === 'identifier' && c.code.startsWith(`${target.text} =`);
    const mine = facts.clients.slice(before).filter(applies);
    for (const c of mine.length ? mine : []) mergeInto(c.timeouts, timeouts);
    facts.clients.push({
      span: ctx.span(dec),
      kind: 'connect-listener',
      timeouts,
      settingsKnown: true,
      code: `${dec.text}`.slice(0, 200),
      listenerTarget: target.text,
    });
  }

  passwordHashing(ctx, facts);
  credentials(ctx, facts);
}

function push(ctx: PyContext, facts: FileFacts, node: Node, kind: string, s: EngineSettings, driver: string, kw: Map<string, Node>): void {
  const int = (n?: Node) => (n?.type === 'integer' ? Number(n.text.replace(/_/g, '')) : undefined);
  const pre = kw.get('pool_pre_ping');
  // The statement that creates it (`engine = create_engine(...)`), so a listener on `engine` can find it.
  const stmt = node.parent?.parent?.type === 'assignment' ? node.parent.parent : node.parent?.type === 'assignment' ? node.parent : undefined;
  const c: DbClientConfig = {
    span: ctx.span(node),
    kind,
    timeouts: s.timeouts,
    settingsKnown: s.known,
    code: (stmt && stmt.childForFieldName('right')?.startIndex === node.startIndex ? stmt.text : node.text).slice(0, 400),
    driver,
  };
  if (isTrue(pre)) c.poolPrePing = true;
  else if (isFalse(pre)) c.poolPrePing = false;
  else if (s.prePing !== undefined) c.poolPrePing = s.prePing;
  const size = int(kw.get('pool_size')) ?? s.poolSize;
  if (size !== undefined) c.poolSize = size;
  const over = int(kw.get('max_overflow')) ?? s.maxOverflow;
  if (over !== undefined) c.maxOverflow = over;
  const recycle = int(kw.get('pool_recycle')) ?? s.poolRecycle;
  if (recycle !== undefined) c.poolRecycle = recycle;
  const poolClass = kw.get('poolclass')?.text ?? s.poolClass;
  if (poolClass !== undefined) c.poolClass = poolClass;
  if (s.span) c.settingsSpan = ctx.span(s.span);
  facts.clients.push(c);
}

interface EngineSettings extends Settings {
  prePing?: boolean;
  poolSize?: number;
  maxOverflow?: number;
  poolRecycle?: number;
  poolClass?: string;
}

function engineOptions(_call: Node, kw: Map<string, Node>, splat: boolean, driver: string, ctx: PyContext): EngineSettings {
  const s: EngineSettings = { timeouts: {}, known: !splat };
  const ca = kw.get('connect_args');
  if (ca) {
    s.span = ca;
    mergeSettings(s, connectArgs(resolveDict(ca), driver, ctx));
  }
  return s;
}

/** A `{...}` for the options dict of Flask-SQLAlchemy (the create_engine kwargs as a dict). */
function engineOptionsDict(node: Node, ctx: PyContext): EngineSettings {
  const d = resolveDict(node);
  if (!d) return { timeouts: {}, known: false };
  const s: EngineSettings = { timeouts: {}, known: !d.namedChildren.some((c) => c?.type === 'dictionary_splat') };
  const bool = dictGet(d, 'pool_pre_ping');
  if (isTrue(bool ?? undefined)) s.prePing = true;
  else if (isFalse(bool ?? undefined)) s.prePing = false;
  const int = (k: string) => {
    const v = dictGet(d, k);
    return v?.type === 'integer' ? Number(v.text.replace(/_/g, '')) : undefined;
  };
  s.poolSize = int('pool_size');
  s.maxOverflow = int('max_overflow');
  s.poolRecycle = int('pool_recycle');
  s.poolClass = dictGet(d, 'poolclass')?.text;
  const ca = dictGet(d, 'connect_args');
  if (ca) {
    s.span = ca;
    mergeSettings(s, connectArgs(resolveDict(ca), 'psycopg', ctx));
  } else s.span = d;
  return s;
}

function resolveDict(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'dictionary') return node;
  if (node.type === 'call' && calleeName(node) === 'dict') return node;
  if (node.type === 'identifier') {
    const v = valueAt(node.text, node);
    if (v && !v.appends.length && (v.value.type === 'dictionary' || (v.value.type === 'call' && calleeName(v.value) === 'dict'))) return v.value;
  }
  return undefined;
}

/** The value under a string key of a dict literal, or a keyword of dict(...). */
function dictGet(d: Node | null | undefined, key: string): Node | undefined {
  if (!d) return undefined;
  if (d.type === 'call') return callArgs(d).keywords.get(key);
  for (const p of d.namedChildren) {
    if (p?.type === 'pair' && stringValue(p.childForFieldName('key')) === key) return p.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

function hasSplat(d: Node): boolean {
  if (d.type === 'call') return callArgs(d).hasSplat;
  return d.namedChildren.some((c) => c?.type === 'dictionary_splat');
}

function connectArgs(d: Node | undefined, _driver: string, _ctx: PyContext): Settings {
  if (!d) return { timeouts: {}, known: false };
  const s: Settings = { timeouts: {}, known: !hasSplat(d) };
  const opt = dictGet(d, 'options');
  if (opt) mergeSettings(s, optionsIn(opt, opt));
  const ss = dictGet(d, 'server_settings');
  if (ss) mergeSettings(s, serverSettings(ss));
  const cmd = dictGet(d, 'command_timeout');
  if (cmd && !s.timeouts.statement_timeout) s.timeouts.statement_timeout = `${cmd.text}s (command_timeout)`;
  return s;
}

/** asyncpg server_settings={"statement_timeout": "5000"}. */
function serverSettings(node: Node): Settings {
  const d = resolveDict(node);
  if (!d) return { timeouts: {}, known: false };
  const s: Settings = { timeouts: {}, known: !hasSplat(d) };
  for (const k of TIMEOUT_KEYS) {
    const v = dictGet(d, k);
    if (v) s.timeouts[k] = stringValue(v) ?? v.text;
  }
  return s;
}

/** libpq options="-c statement_timeout=5000 -c lock_timeout=2000" (a literal, or any text naming them). */
function optionsIn(node: Node | undefined, _at: Node): Settings {
  if (!node) return { timeouts: {}, known: true };
  const v = stringValue(node);
  if (v !== undefined) return { timeouts: fromOptionsString(v), known: true };
  // An f-string or a variable: if it visibly names the setting, count it; otherwise we cannot tell.
  const t = fromOptionsString(node.text);
  if (node.type === 'identifier') {
    const val = valueAt(node.text, node)?.value;
    const sv = stringValue(val);
    if (sv !== undefined) return { timeouts: fromOptionsString(sv), known: true };
  }
  return { timeouts: t, known: Object.keys(t).length > 0 };
}

function fromOptionsString(s: string): Timeouts {
  const out: Timeouts = {};
  for (const k of TIMEOUT_KEYS) {
    const m = s.match(new RegExp(`(?:-c\\s*|--)${k.replace(/_/g, '[_-]')}\\s*=\\s*([^\\s&'"}]+)`, 'i'));
    if (m) out[k] = m[1];
  }
  return out;
}

function mergeInto(dst: Timeouts, src: Timeouts): void {
  for (const k of TIMEOUT_KEYS) if (src[k] !== undefined && dst[k] === undefined) dst[k] = src[k];
}

function mergeSettings(dst: Settings, src: Settings): void {
  mergeInto(dst.timeouts, src.timeouts);
  dst.known &&= src.known;
}

function driverOf(url: string): string {
  const m = url.match(/^postgres(?:ql)?\+(\w+):/i);
  if (!m) return 'psycopg2';
  return m[1].toLowerCase();
}

const HASHERS: [RegExp, string][] = [
  [/(^|\.)CryptContext$/, 'passlib CryptContext'],
  [/^bcrypt\.hashpw$/, 'bcrypt.hashpw'],
  [/(^|\.)PasswordHasher$/, 'argon2 PasswordHasher'],
  [/(^|\.)generate_password_hash$/, 'werkzeug generate_password_hash'],
  [/^hashlib\.(scrypt|pbkdf2_hmac)$/, 'hashlib key derivation'],
  [/^(django\.contrib\.auth\.hashers\.)?make_password$/, 'Django make_password'],
  [/(^|\.)(bcrypt|argon2|pbkdf2_sha256|scrypt)\.hash$/, 'passlib hash'],
];

function passwordHashing(ctx: PyContext, facts: FileFacts): void {
  const seen = new Set<string>();
  for (const call of ctx.root.descendantsOfType('call')) {
    if (!call) continue;
    const name = calleeName(call);
    for (const [re, what] of HASHERS) {
      if (!re.test(name) || seen.has(what)) continue;
      if (what === 'argon2 PasswordHasher' && !/\bargon2\b/.test(ctx.text)) continue;
      if (what === 'werkzeug generate_password_hash' && !/\bwerkzeug\b/.test(ctx.text)) continue;
      seen.add(what);
      let detail = what;
      if (what === 'passlib CryptContext') {
        const schemes = callArgs(call).keywords.get('schemes');
        const first = schemes?.namedChildren.map((c) => stringValue(c)).find(Boolean);
        if (first) detail = `${first} (passlib CryptContext)`;
      } else if (what === 'bcrypt.hashpw') detail = 'bcrypt';
      else if (what === 'argon2 PasswordHasher') detail = 'argon2';
      else if (what === 'hashlib key derivation') detail = name.replace('hashlib.', '');
      facts.evidence.push({ kind: 'password-hashing', what: `${detail} in ${ctx.path}`, span: ctx.span(call) });
    }
  }
}

/** Literal connection URLs with a real-looking password. */
function credentials(ctx: PyContext, facts: FileFacts): void {
  for (const s of ctx.root.descendantsOfType('string')) {
    if (!s) continue;
    const v = stringValue(s);
    if (!v || !/^postgres(ql)?(\+\w+)?:\/\//i.test(v)) continue;
    if (!literalCredential(v)) continue;
    let where = `connection URL in ${ctx.path}`;
    for (let p = s.parent; p; p = p.parent) {
      if (p.type === 'call') {
        const n = calleeName(p);
        if (/(^|\.)(getenv|get|environ\.get)$/.test(n)) {
          const key = stringValue(callArgs(p).positional[0]);
          where = `default of ${key ?? 'an environment variable'} in ${ctx.path}`;
          break;
        }
        if (n) {
          where = `${shortName(n)} URL in ${ctx.path}`;
          break;
        }
      }
      if (p.type === 'assignment') {
        where = `${p.childForFieldName('left')?.text ?? 'value'} in ${ctx.path}`;
        break;
      }
      if (p.type === 'expression_statement' || p.type === 'block') break;
    }
    facts.credentials.push({ span: ctx.span(s), where });
  }
}
