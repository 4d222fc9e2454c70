import type { Node } from 'web-tree-sitter';
import { rawQuerySite, type FileFacts, type LoopRef, type Predicate, type QuerySite, type RawSql, type SqlConstruction, type SqlInterpolation } from '../../facts';
import { parseStatements } from '../sql/statements';
import { sqlShape } from '../sql/predicates';
import { callArgs, calleeName, enclosingFunction, enclosingLoop, qualifiedFunctionName, stringPrefix, stringValue } from './ast';
import type { PyContext } from './context';
import { classify, valueAt } from './taint';

// Raw SQL in Python: every place SQL text reaches the database (SQLAlchemy text(), DB-API cursors, asyncpg,
// exec_driver_sql, psycopg's sql.SQL) and how that text was built. The text is rebuilt with each interpolated
// value replaced by a `$n` marker, so it still parses and its WHERE columns can be read like an ORM query's.

const EXEC_METHODS = new Set(['execute', 'executemany', 'exec_driver_sql', 'fetch', 'fetchrow', 'fetchval', 'executescript']);
const ASYNCPG_METHODS = new Set(['fetch', 'fetchrow', 'fetchval']);
const PARAM_KEYWORDS = ['params', 'parameters', 'args', 'vars', 'values', 'variables'];
const SQL_START = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\(?\s*(select|insert|update|delete|with|create|alter|drop|set|begin|commit|rollback|truncate|copy|explain|vacuum|analyze|lock|grant|revoke|refresh|call|do|values|show|reset|listen|notify|merge|comment|reindex|cluster)\b/i;
const CURSORISH = /(^|[._])(cur|cursor|curs|conn|connection|con|db|pool|pg|asyncpg)\w*$/i;

/** A chunk of rebuilt SQL text; `file` is the file offset of its first character when it is verbatim source. */
interface Piece {
  text: string;
  file?: number;
}

interface Built {
  pieces: Piece[];
  construction: SqlConstruction;
  interps: Node[];
  /** The expression that holds the SQL text (the string, or the variable's assigned value). */
  node: Node;
}

interface Builder {
  counter: number;
  src: string;
}

export function extractRawSql(ctx: PyContext, facts: FileFacts): void {
  const importsText = /from\s+sqlalchemy[\w.]*\s+import\s+(\([^)]*\btext\b[^)]*\)|[^\n]*\btext\b)/.test(ctx.text);
  const importsAsyncpg = /^\s*(import|from)\s+asyncpg\b/m.test(ctx.text);
  const isTextCall = (n: Node | null | undefined): boolean => {
    if (n?.type !== 'call') return false;
    const name = calleeName(n);
    return (name === 'text' && importsText) || /^(sa|sqlalchemy|db|sqlalchemy\.sql|sql\.expression)\.text$/.test(name);
  };
  const isPsycopgSql = (n: Node | null | undefined): boolean => n?.type === 'call' && /^(sql\.SQL|psycopg\.sql\.SQL|psycopg2\.sql\.SQL|SQL)$/.test(calleeName(n));

  const consumed = new Set<number>();
  const calls = ctx.root.descendantsOfType('call').filter((n): n is Node => !!n);

  /** Unwraps text(...), text(...).bindparams(...), sql.SQL(...), and variables holding them. */
  const unwrap = (arg: Node, depth = 0): { expr: Node; textCall?: Node; bound: boolean; psycopg: boolean } | undefined => {
    if (depth > 4) return undefined;
    if (arg.type === 'parenthesized_expression' && arg.namedChildren[0]) return unwrap(arg.namedChildren[0], depth + 1);
    if (arg.type === 'call') {
      const fn = arg.childForFieldName('function');
      if (isTextCall(arg)) {
        const a = callArgs(arg).positional[0];
        return a ? { expr: a, textCall: arg, bound: false, psycopg: false } : undefined;
      }
      if (isPsycopgSql(arg)) return { expr: arg, bound: false, psycopg: true };
      if (fn?.type === 'attribute') {
        const attr = fn.childForFieldName('attribute')?.text;
        const obj = fn.childForFieldName('object');
        if (attr === 'bindparams' && obj) {
          const inner = unwrap(obj, depth + 1);
          return inner && { ...inner, bound: true };
        }
        if ((attr === 'format' || attr === 'join') && obj && isPsycopgSql(obj)) return { expr: arg, bound: false, psycopg: true };
        if (attr === 'columns' && obj) return unwrap(obj, depth + 1);
      }
      return { expr: arg, bound: false, psycopg: false };
    }
    if (arg.type === 'identifier') {
      const v = valueAt(arg.text, arg);
      if (v && !v.appends.length) {
        const inner = unwrap(v.value, depth + 1);
        if (inner) return inner;
      }
    }
    return { expr: arg, bound: false, psycopg: false };
  };

  for (const call of calls) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') continue;
    const method = fn.childForFieldName('attribute')?.text ?? '';
    if (!EXEC_METHODS.has(method)) continue;
    const receiver = fn.childForFieldName('object')?.text ?? '';
    // Alembic's op.execute is a migration step (the migration front end reads it), not application SQL.
    if (receiver === 'op' || receiver === 'alembic.op') continue;
    const args = callArgs(call);
    const first = args.positional[0] ?? args.keywords.get('statement') ?? args.keywords.get('query') ?? args.keywords.get('sql') ?? args.keywords.get('operation');
    if (!first) continue;
    const u = unwrap(first);
    if (!u) continue;
    const b: Builder = { counter: 0, src: ctx.text };
    const built = build(u.expr, b, 0);
    const text = built ? join(built.pieces) : undefined;
    const cursorish = CURSORISH.test(receiver) && !/session/i.test(receiver);
    if (!u.textCall && !u.psycopg) {
      if (built && !SQL_START.test(text ?? '')) continue;
      if (!built && !(cursorish && (method !== 'execute' || first.type === 'identifier'))) continue;
      if (!built && first.type !== 'identifier') continue;
    }
    if (u.textCall) consumed.add(u.textCall.startIndex);
    const orm = u.textCall || method === 'exec_driver_sql' || /session|engine/i.test(receiver)
      ? 'sqlalchemy'
      : ASYNCPG_METHODS.has(method) || (importsAsyncpg && !/cur/i.test(receiver))
        ? 'asyncpg'
        : 'dbapi';
    const parameterized = u.bound || args.positional.length > 1 || PARAM_KEYWORDS.some((k) => args.keywords.has(k)) || (args.hasSplat && orm !== 'asyncpg');
    pushSite(ctx, facts, call, orm, true, built, u.expr, parameterized, u.textCall);
  }

  // text() that no execute call in this file consumed: passed to where()/order_by(), returned, or executed elsewhere.
  for (const call of calls) {
    if (!isTextCall(call) || consumed.has(call.startIndex)) continue;
    const a = callArgs(call).positional[0];
    if (!a) continue;
    const built = build(a, { counter: 0, src: ctx.text }, 0);
    // A constant fragment (server_default=text("now()")) is neither a statement nor a risk.
    if (built?.construction === 'literal' && !SQL_START.test(join(built.pieces))) continue;
    if (ancestorCall(call, 'op')) continue;
    const parent = call.parent?.type === 'attribute' ? call.parent : undefined;
    const bound = parent?.childForFieldName('attribute')?.text === 'bindparams';
    pushSite(ctx, facts, call, 'sqlalchemy', false, built, a, bound, call);
  }
}

/**
 * What pushSite reads of a parsed SQL text (its statements' kinds and shapes), cached by the text: libpg-query
 * parses are the costliest step here, and the same statements recur across a project's files and on every
 * re-analysis of an edited file. The cached shapes are only read.
 */
interface ParsedSql {
  ok: boolean;
  statements: { kind: string; shape: ReturnType<typeof sqlShape> }[];
}
const SQL_CACHE_SIZE = 4000;
let sqlCache = new Map<string, ParsedSql>();
let sqlCacheOld = new Map<string, ParsedSql>();

function parsedSql(text: string): ParsedSql {
  let hit = sqlCache.get(text);
  if (hit) return hit;
  hit = sqlCacheOld.get(text);
  if (!hit) {
    const parsed = parseStatements(text);
    hit = parsed.ok ? { ok: true, statements: parsed.statements.map((st) => ({ kind: Object.keys(st.ast)[0] ?? '', shape: sqlShape(st.ast) })) } : { ok: false, statements: [] };
  }
  // Two generations: the entries of the last SQL_CACHE_SIZE texts stay, older ones go.
  if (sqlCache.size >= SQL_CACHE_SIZE) {
    sqlCacheOld = sqlCache;
    sqlCache = new Map();
  }
  sqlCache.set(text, hit);
  return hit;
}

function join(pieces: Piece[]): string {
  return pieces.map((p) => p.text).join('');
}

function pushSite(ctx: PyContext, facts: FileFacts, call: Node, orm: string, executes: boolean, built: Built | undefined, expr: Node, parameterized: boolean, textCall?: Node): void {
  const span = ctx.span(call);
  const sqlNode = built?.node ?? expr;
  const text = built ? join(built.pieces) : undefined;
  const interpolations: SqlInterpolation[] = (built?.interps ?? []).map((n) => {
    const s = classify(n);
    return { span: ctx.span(n), expr: n.text, safe: s.safe, reason: s.reason };
  });
  const construction: SqlConstruction = built ? built.construction : expr.type === 'identifier' || expr.type === 'attribute' ? 'variable' : 'unknown';
  const sql: RawSql = { text, construction, interpolations, parameterized, span: ctx.span(sqlNode) };

  const site = rawQuerySite({
    id: `${ctx.path}:${span.start}`,
    span,
    orm,
    executes,
    sql,
    code: call.text.length > 500 ? call.text.slice(0, 500) : call.text,
  });
  const loop = loopRef(ctx, call);
  if (loop) site.loop = loop;
  const def = enclosingFunction(call);
  if (def) site.functionName = qualifiedFunctionName(def, ctx.path);

  if (text !== undefined && built) {
    const parsed = parsedSql(text);
    if (parsed.ok && parsed.statements.length) {
      const at = (offset: number) => {
        const o = fileOffset(built.pieces, offset);
        return o === undefined ? sql.span : ctx.lines.span(ctx.path, o, o);
      };
      for (const { shape } of parsed.statements) {
        site.tables.push(...shape.tables.filter((t) => !site.tables.includes(t)));
        site.limited ||= shape.limited;
        const lower = text.toLowerCase();
        // A qualified reference (`j.company_id`) starts at the alias; point at the column name itself.
        const columnAt = (location: number, column: string) => {
          const i = lower.indexOf(column, location);
          return i >= 0 && i - location < 70 ? i : location;
        };
        for (const p of shape.predicates) {
          const s = at(columnAt(p.location, p.column));
          const pred: Predicate = { table: p.table, column: p.column, op: p.op, span: { ...s, end: s.start + p.column.length, endColumn: s.column + p.column.length } };
          site.predicates.push(pred);
        }
        for (const o of shape.orderBy) site.orderBy.push({ table: o.table, column: o.column, span: at(columnAt(o.location, o.column)) });
      }
      if (construction === 'literal' && parsed.statements.length === 1 && ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt'].includes(parsed.statements[0].kind)) {
        facts.sqlSites.push({ span: sql.span, sql: text.trim(), origin: 'python-string' });
      }
    }
    const rewrite = boundRewrite(ctx, call, textCall, built, executes);
    if (rewrite) sql.boundRewrite = rewrite;
  }
  facts.queries.push(site);
}

/**
 * The bound-parameter form of `text(f"… '{x}' …")` passed straight to execute() with no parameters:
 * the literal with `:x` markers and the params dict to add. Only for simple names/attributes.
 */
function boundRewrite(ctx: PyContext, call: Node, textCall: Node | undefined, built: Built, executes: boolean): RawSql['boundRewrite'] {
  if (!textCall || !executes || built.construction !== 'fstring' || built.node.type !== 'string') return undefined;
  if (callArgs(textCall).positional[0]?.startIndex !== built.node.startIndex) return undefined;
  const args = callArgs(call);
  if (args.positional.length !== 1 || args.keywords.size || args.hasSplat || args.positional[0].startIndex !== textCall.startIndex) return undefined;
  const params: Record<string, string> = {};
  let out = '';
  const str = built.node;
  const quote = str.children.find((c) => c?.type === 'string_start')?.text.replace(/^[a-zA-Z]*/, '') ?? '"';
  out += quote;
  const content = str.text.slice(str.children[0]!.text.length, str.text.length - quote.length);
  const base = str.startIndex + str.children[0]!.text.length;
  let pos = 0;
  for (const c of str.namedChildren) {
    if (c?.type !== 'interpolation') continue;
    const e = c.namedChildren[0];
    if (!e || (e.type !== 'identifier' && e.type !== 'attribute') || c.namedChildren.length > 1) return undefined;
    const name = e.type === 'identifier' ? e.text : e.childForFieldName('attribute')!.text;
    if (params[name] !== undefined && params[name] !== e.text) return undefined;
    params[name] = e.text;
    let start = c.startIndex - base;
    let end = c.endIndex - base;
    // '{x}' → :x (the quotes belonged to the pasted value).
    if (content[start - 1] === "'" && content[end] === "'") {
      start--;
      end++;
    }
    out += content.slice(pos, start).replace(/\{\{/g, '{').replace(/\}\}/g, '}') + ':' + name;
    pos = end;
  }
  out += content.slice(pos).replace(/\{\{/g, '{').replace(/\}\}/g, '}') + quote;
  if (/\\N\{/.test(out)) return undefined;
  return { literal: out, params, paramsAt: textCall.endIndex };
}

function loopRef(ctx: PyContext, node: Node): LoopRef | undefined {
  const loop = enclosingLoop(node);
  if (!loop) return undefined;
  if (loop.type === 'for_statement') {
    const isAsync = loop.children[0]?.text === 'async';
    return { span: ctx.span(loop), kind: isAsync ? 'async-for' : 'for', iterable: loop.childForFieldName('right')?.text };
  }
  if (loop.type === 'while_statement') return { span: ctx.span(loop), kind: 'while' };
  const clause = loop.namedChildren.find((c) => c?.type === 'for_in_clause');
  return { span: ctx.span(loop), kind: 'comprehension', iterable: clause?.childForFieldName('right')?.text };
}

function fileOffset(pieces: Piece[], offset: number): number | undefined {
  let pos = 0;
  for (const p of pieces) {
    if (offset < pos + p.text.length) return p.file === undefined ? undefined : p.file + (offset - pos);
    pos += p.text.length;
  }
  return undefined;
}

/** Rebuilds the SQL text of a string-valued expression; undefined when it is not (visibly) a string. */
function build(node: Node, b: Builder, depth: number): Built | undefined {
  if (depth > 6) return undefined;
  switch (node.type) {
    case 'parenthesized_expression':
      return node.namedChildren[0] ? build(node.namedChildren[0], b, depth + 1) : undefined;
    case 'string':
      return buildString(node, b);
    case 'concatenated_string': {
      const parts = node.namedChildren.map((c) => c && buildString(c, b));
      if (parts.some((p) => !p)) return undefined;
      const ps = parts as Built[];
      return { pieces: ps.flatMap((p) => p.pieces), construction: ps.some((p) => p.construction === 'fstring') ? 'fstring' : 'literal', interps: ps.flatMap((p) => p.interps), node };
    }
    case 'binary_operator': {
      const op = node.child(1)?.text;
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r) return undefined;
      if (op === '+') {
        const lb = build(l, b, depth + 1);
        const rb = build(r, b, depth + 1);
        if (!lb && !rb) return undefined;
        const parts = [lb ?? marker(l, b), rb ?? marker(r, b)];
        // The `+` is what pastes a value in, unless one side was already built another way (f-string…).
        const nonLiteral = parts.filter((p) => p.construction !== 'literal');
        const construction: SqlConstruction = !nonLiteral.length
          ? 'literal'
          : nonLiteral.length === 1 && nonLiteral[0].construction !== 'variable'
            ? nonLiteral[0].construction
            : 'concat';
        return { pieces: parts.flatMap((p) => p.pieces), construction, interps: parts.flatMap((p) => p.interps), node };
      }
      if (op === '%') {
        const lb = build(l, b, depth + 1);
        if (!lb) return undefined;
        const values = r.type === 'tuple' ? r.namedChildren.filter((c): c is Node => !!c) : [r];
        const dict = r.type === 'dictionary' ? r : undefined;
        const byKey = new Map<string, Node>();
        if (dict) for (const p of dict.namedChildren) if (p?.type === 'pair') {
          const k = stringValue(p.childForFieldName('key'));
          const v = p.childForFieldName('value');
          if (k !== undefined && v) byKey.set(k, v);
        }
        const interps: Node[] = [...lb.interps];
        let i = 0;
        const pieces = substitute(lb.pieces, /%%|%\((\w+)\)[sdrif]|%[-+ #0]*\d*(?:\.\d+)?[sdrif]/g, (m, g1) => {
          if (m === '%%') return '%';
          const v = dict ? (g1 ? byKey.get(g1) : undefined) : values[i++];
          if (v) interps.push(v);
          return `$${++b.counter}`;
        });
        if (dict && !byKey.size) interps.push(dict);
        if (!dict && i === 0) interps.push(r);
        return { pieces, construction: 'percent', interps: [...new Set(interps)], node };
      }
      return undefined;
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      const name = calleeName(node);
      const args = callArgs(node);
      if (/^(sql\.SQL|psycopg\.sql\.SQL|psycopg2\.sql\.SQL|SQL|text|sa\.text|sqlalchemy\.text)$/.test(name) && args.positional[0]) return build(args.positional[0], b, depth + 1);
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') {
        const obj = fn.childForFieldName('object');
        const ob = obj && build(obj, b, depth + 1);
        if (!ob) return undefined;
        const interps: Node[] = [...ob.interps];
        let i = 0;
        const pieces = substitute(ob.pieces, /\{\{|\}\}|\{([^{}]*)\}/g, (m, g1) => {
          if (m === '{{') return '{';
          if (m === '}}') return '}';
          const key = (g1 ?? '').split(/[!:]/)[0];
          const v = key === '' ? args.positional[i++] : /^\d+$/.test(key) ? args.positional[Number(key)] : args.keywords.get(key);
          if (v && !interps.includes(v)) interps.push(v);
          return `$${++b.counter}`;
        });
        if (args.hasSplat) interps.push(node.childForFieldName('arguments')!);
        return { pieces, construction: 'format', interps, node };
      }
      return undefined;
    }
    case 'identifier': {
      const v = valueAt(node.text, node);
      if (!v) return undefined;
      const base = build(v.value, b, depth + 1);
      if (!base) return undefined;
      let out: Built = { ...base, node: v.value };
      for (const a of v.appends) {
        const ab = build(a, b, depth + 1) ?? marker(a, b);
        const construction: SqlConstruction = out.construction !== 'literal' ? out.construction : ab.construction === 'literal' ? 'literal' : ab.construction === 'variable' ? 'concat' : ab.construction;
        out = { pieces: [...out.pieces, ...ab.pieces], construction, interps: [...out.interps, ...ab.interps], node: out.node };
      }
      return out;
    }
  }
  return undefined;
}

/** A non-string operand pasted into the text. */
function marker(node: Node, b: Builder): Built {
  return { pieces: [{ text: `$${++b.counter}` }], construction: 'variable', interps: [node], node };
}

/** Replaces matches of `re` inside verbatim pieces, splitting them so offsets stay right. */
function substitute(pieces: Piece[], re: RegExp, replace: (m: string, g1?: string) => string): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    if (p.file === undefined && /^\$\d+$/.test(p.text)) {
      out.push(p);
      continue;
    }
    let last = 0;
    for (const m of p.text.matchAll(re)) {
      const i = m.index ?? 0;
      if (i > last) out.push({ text: p.text.slice(last, i), file: p.file === undefined ? undefined : p.file + last });
      out.push({ text: replace(m[0], m[1]) });
      last = i + m[0].length;
    }
    if (last < p.text.length) out.push({ text: p.text.slice(last), file: p.file === undefined ? undefined : p.file + last });
  }
  return out;
}

const ESCAPES: Record<string, string> = { '\\n': ' ', '\\t': ' ', '\\r': ' ', "\\'": "'", '\\"': '"', '\\\\': '\\' };

function buildString(node: Node, b: Builder): Built | undefined {
  if (node.type !== 'string') return undefined;
  const prefix = stringPrefix(node);
  if (prefix.includes('b')) return undefined;
  const pieces: Piece[] = [];
  const interps: Node[] = [];
  let fstring = false;
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') {
      // Escapes keep their source length (padded with spaces), so offsets still map to the file.
      let pos = c.startIndex;
      for (const e of c.namedChildren) {
        if (e?.type !== 'escape_sequence') continue;
        if (e.startIndex > pos) pieces.push({ text: b.src.slice(pos, e.startIndex), file: pos });
        const t = prefix.includes('r') ? e.text : (ESCAPES[e.text] ?? e.text);
        pieces.push({ text: t.padEnd(e.text.length, ' ') });
        pos = e.endIndex;
      }
      if (c.endIndex > pos) pieces.push({ text: b.src.slice(pos, c.endIndex), file: pos });
    } else if (c.type === 'interpolation') {
      fstring = true;
      const e = c.namedChildren[0];
      if (e) interps.push(e);
      pieces.push({ text: `$${++b.counter}` });
    }
  }
  if (fstring && prefix.includes('f')) {
    // {{ and }} in an f-string are literal braces.
    return { pieces: substitute(pieces, /\{\{|\}\}/g, (m) => m[0]), construction: 'fstring', interps, node };
  }
  return { pieces, construction: 'literal', interps, node };
}

/** True when `node` is inside a call on `receiver` (`op.create_table(..., text(...))`). */
function ancestorCall(node: Node, receiver: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'call' && calleeName(p).startsWith(`${receiver}.`)) return true;
    if (p.type === 'function_definition') return false;
  }
  return false;
}
