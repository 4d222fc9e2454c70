import type { Node } from 'web-tree-sitter';
import type { DbClientConfig, FileFacts } from '../../facts';
import { callArgs, calleeName, isFalse, isTrue, stringValue } from './ast';
import type { PyContext } from './context';

// Django settings: each PostgreSQL entry of `DATABASES` becomes a DbClientConfig of kind 'django'. Session
// settings arrive through `OPTIONS: {"options": "-c statement_timeout=5000"}` (libpq), also when set later
// with `DATABASES["default"]["OPTIONS"] = {...}` / `[...]["OPTIONS"]["options"] = "..."`. CONN_HEALTH_CHECKS
// (Django 4.1+) checks a persistent connection before reuse, the counterpart of pool_pre_ping.

const TIMEOUT_KEYS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout'] as const;

interface Entry {
  alias: string;
  node: Node;
  known: boolean;
  postgres: boolean;
  options?: string;
  optionsNode?: Node;
  healthChecks?: boolean;
  connMaxAge?: Node;
}

export function extractDjangoSettings(ctx: PyContext, facts: FileFacts): void {
  if (!/\bDATABASES\b/.test(ctx.text)) return;
  const entries = new Map<string, Entry>();
  for (const stmt of ctx.root.descendantsOfType('assignment')) {
    if (!stmt) continue;
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    if (!left || !right) continue;
    if (left.text === 'DATABASES') {
      if (right.type !== 'dictionary') continue;
      for (const p of right.namedChildren) {
        const alias = p?.type === 'pair' ? stringValue(p.childForFieldName('key')) : undefined;
        const v = p?.childForFieldName('value');
        if (alias && v) entries.set(alias, readEntry(alias, v));
      }
      continue;
    }
    // DATABASES["default"]["OPTIONS"] = {...} / DATABASES["default"]["OPTIONS"]["options"] = "..." / DATABASES["default"]["CONN_MAX_AGE"] = 60
    const path = subscriptPath(left);
    if (path?.[0] !== 'DATABASES' || path.length < 3) continue;
    const entry = entries.get(path[1]);
    if (!entry) continue;
    if (path[2] === 'OPTIONS' && path.length === 3) readOptions(entry, right);
    else if (path[2] === 'OPTIONS' && path[3] === 'options') setOptions(entry, right);
    else if (path[2] === 'CONN_HEALTH_CHECKS') entry.healthChecks = isTrue(right) ? true : isFalse(right) ? false : undefined;
    else if (path[2] === 'CONN_MAX_AGE') entry.connMaxAge = right;
    else if (path[2] === 'ENGINE') entry.postgres = /postg/i.test(stringValue(right) ?? right.text);
  }
  for (const e of entries.values()) {
    if (!e.postgres) continue;
    const timeouts: DbClientConfig['timeouts'] = {};
    for (const k of TIMEOUT_KEYS) {
      const m = e.options?.match(new RegExp(`(?:-c\\s*|--)${k.replace(/_/g, '[_-]')}\\s*=\\s*([^\\s'"}]+)`, 'i'));
      if (m) timeouts[k] = m[1];
    }
    const c: DbClientConfig = {
      span: ctx.span(e.node),
      kind: 'django',
      timeouts,
      settingsKnown: e.known,
      code: `DATABASES["${e.alias}"]${e.connMaxAge ? ` (CONN_MAX_AGE=${e.connMaxAge.text})` : ''}`,
      driver: 'psycopg',
    };
    if (e.connMaxAge) {
      c.connMaxAge = e.connMaxAge.text;
      const holder = e.connMaxAge.parent;
      c.connMaxAgeSpan = ctx.span(holder && ['pair', 'keyword_argument', 'assignment'].includes(holder.type) ? holder : e.connMaxAge);
    }
    if (e.healthChecks !== undefined) c.poolPrePing = e.healthChecks;
    if (e.optionsNode) c.settingsSpan = ctx.span(e.optionsNode);
    facts.clients.push(c);
  }
}

function readEntry(alias: string, v: Node): Entry {
  // `dj_database_url.config(...)`, `env.db()`: the URL may carry `?options=…`; we cannot see it.
  if (v.type !== 'dictionary') {
    const e: Entry = { alias, node: v, known: false, postgres: v.type === 'call' && /database_url|\.db(_url)?$|parse/.test(calleeName(v)) };
    if (e.postgres) {
      // dj-database-url takes the two connection-persistence settings as keywords.
      const kw = callArgs(v).keywords;
      e.connMaxAge = kw.get('conn_max_age');
      const hc = kw.get('conn_health_checks');
      if (hc) e.healthChecks = isTrue(hc) ? true : isFalse(hc) ? false : undefined;
    }
    return e;
  }
  const e: Entry = { alias, node: v, known: true, postgres: false };
  for (const p of v.namedChildren) {
    if (p?.type === 'dictionary_splat') e.known = false;
    const k = p?.type === 'pair' ? stringValue(p.childForFieldName('key')) : undefined;
    const val = p?.childForFieldName('value');
    if (!k || !val) continue;
    if (k === 'ENGINE') {
      const s = stringValue(val);
      // An ENGINE read from the environment is most likely PostgreSQL in a project pgready analyses.
      e.postgres = s === undefined ? true : /postg/i.test(s);
    } else if (k === 'OPTIONS') readOptions(e, val);
    else if (k === 'CONN_HEALTH_CHECKS') e.healthChecks = isTrue(val) ? true : isFalse(val) ? false : undefined;
    else if (k === 'CONN_MAX_AGE') e.connMaxAge = val;
  }
  return e;
}

function readOptions(e: Entry, v: Node): void {
  e.optionsNode = v;
  if (v.type !== 'dictionary') {
    e.known = false;
    return;
  }
  for (const p of v.namedChildren) {
    if (p?.type === 'dictionary_splat') e.known = false;
    const k = p?.type === 'pair' ? stringValue(p.childForFieldName('key')) : undefined;
    const val = p?.childForFieldName('value');
    if (k === 'options' && val) setOptions(e, val);
  }
}

function setOptions(e: Entry, v: Node): void {
  const s = stringValue(v);
  if (s !== undefined) e.options = `${e.options ?? ''} ${s}`;
  else if (/statement[_-]timeout/.test(v.text)) e.options = `${e.options ?? ''} ${v.text}`;
  else e.known = false;
}

/** `DATABASES["default"]["OPTIONS"]` → ["DATABASES", "default", "OPTIONS"]. */
function subscriptPath(n: Node): string[] | undefined {
  const out: string[] = [];
  let cur: Node | null = n;
  while (cur?.type === 'subscript') {
    const key = stringValue(cur.childForFieldName('subscript'));
    if (key === undefined) return undefined;
    out.unshift(key);
    cur = cur.childForFieldName('value');
  }
  if (cur?.type !== 'identifier') return undefined;
  out.unshift(cur.text);
  return out;
}
