// A small deparser for the expression nodes that appear in DDL: defaults, CHECK constraints, index
// expressions and partial-index predicates. libpg-query ships no deparser, and an expression's original text
// is not always at hand (Alembic ops are translated to SQL, so AST locations point into generated text).
// The output follows PostgreSQL's own spelling closely enough for comparisons and messages
// ("now()", "lower(email)", "deleted_at IS NULL", "'draft'::text"); unknown nodes become "…".

type Node = Record<string, any>;

/** Type names as PostgreSQL's format_type prints them, keyed by the internal name the parser produces. */
const TYPE_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  bpchar: 'character',
  varbit: 'bit varying',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
  timetz: 'time with time zone',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
  decimal: 'numeric',
  int: 'integer',
  integer: 'integer',
  smallint: 'smallint',
  bigint: 'bigint',
  real: 'real',
  boolean: 'boolean',
};

const SERIALS = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** The last name of a qualified name list ([pg_catalog, int4] → int4). */
export function lastName(names: Node[] | undefined): string {
  const list = names ?? [];
  return list.length ? String(list[list.length - 1].String?.sval ?? '') : '';
}

/** True when a TypeName is one of the serial pseudo-types (which add a sequence default). */
export function isSerial(typeName: Node | undefined): boolean {
  return !!typeName && (typeName.names ?? []).length === 1 && SERIALS.has(lastName(typeName.names));
}

/** A TypeName node as PostgreSQL names the type: "character varying(255)", "timestamp(3) with time zone", "integer[]". */
export function typeNameToString(typeName: Node | undefined): string {
  if (!typeName) return '';
  const raw = lastName(typeName.names);
  let base = TYPE_NAMES[raw] ?? raw;
  if (raw === 'interval' && typeName.typmods?.length) base = 'interval';
  const mods = (typeName.typmods ?? []).map((m: Node) => deparseExpr(m));
  if (mods.length && raw !== 'interval') {
    const m = `(${mods.join(',')})`;
    // PostgreSQL writes the precision inside the timestamp/time spelling: timestamp(3) with time zone.
    const tz = /^(timestamp|time) (with(?:out)? time zone)$/.exec(base);
    base = tz ? `${tz[1]}${m} ${tz[2]}` : base + m;
  }
  if (typeName.arrayBounds?.length) base += '[]'.repeat(typeName.arrayBounds.length);
  return base;
}

const SVF: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function constant(c: Node): string {
  if (c.isnull) return 'NULL';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval ?? '0');
  if (c.boolval) return c.boolval.boolval ? 'true' : 'false';
  if (c.sval) return `'${String(c.sval.sval ?? '').replace(/'/g, "''")}'`;
  if (c.bsval) return `B'${c.bsval.bsval ?? ''}'`;
  return 'NULL';
}

function list(nodes: Node[] | undefined, sep = ', '): string {
  return (nodes ?? []).map((n) => deparseExpr(n)).join(sep);
}

const BOOL_OPS: Record<string, string> = { AND_EXPR: ' AND ', OR_EXPR: ' OR ' };

/** Deparses an expression node to SQL text. Never throws; unknown nodes become "…". */
export function deparseExpr(node: Node | undefined, parent?: string): string {
  if (!node) return '';
  const [kind] = Object.keys(node);
  const n = node[kind] ?? {};
  switch (kind) {
    case 'A_Const':
      return constant(n);
    case 'Integer':
      return String(n.ival ?? 0);
    case 'Float':
      return String(n.fval ?? '0');
    case 'String':
      return String(n.sval ?? '');
    case 'Boolean':
      return n.boolval ? 'true' : 'false';
    case 'ColumnRef':
      return (n.fields ?? []).map((f: Node) => (f.A_Star ? '*' : quoteIdent(String(f.String?.sval ?? '')))).join('.');
    case 'ParamRef':
      return `$${n.number ?? 0}`;
    case 'A_Star':
      return '*';
    case 'FuncCall': {
      const names = (n.funcname ?? []).map((f: Node) => String(f.String?.sval ?? ''));
      const name = names[0] === 'pg_catalog' ? names.slice(1).join('.') : names.join('.');
      const args = n.agg_star ? '*' : (n.agg_distinct ? 'DISTINCT ' : '') + list(n.args);
      return `${name}(${args})`;
    }
    case 'TypeCast': {
      const arg = deparseExpr(n.arg, 'cast');
      const wrap = n.arg?.NullTest || n.arg?.BooleanTest || n.arg?.CaseExpr || n.arg?.CollateClause;
      return `${wrap ? `(${arg})` : arg}::${typeNameToString(n.typeName)}`;
    }
    case 'SQLValueFunction':
      return SVF[n.op] ?? 'CURRENT_TIMESTAMP';
    case 'A_Expr': {
      const op = String(n.name?.[n.name.length - 1]?.String?.sval ?? '');
      const l = n.lexpr ? deparseExpr(n.lexpr, 'op') : '';
      const r = n.rexpr;
      let text: string;
      switch (n.kind) {
        case 'AEXPR_IN':
          text = `${l} ${op === '<>' ? 'NOT IN' : 'IN'} (${r?.List ? list(r.List.items) : deparseExpr(r)})`;
          break;
        case 'AEXPR_LIKE':
          text = `${l} ${op === '!~~' ? 'NOT LIKE' : 'LIKE'} ${deparseExpr(r, 'op')}`;
          break;
        case 'AEXPR_ILIKE':
          text = `${l} ${op === '!~~*' ? 'NOT ILIKE' : 'ILIKE'} ${deparseExpr(r, 'op')}`;
          break;
        case 'AEXPR_BETWEEN':
        case 'AEXPR_NOT_BETWEEN':
        case 'AEXPR_BETWEEN_SYM':
        case 'AEXPR_NOT_BETWEEN_SYM': {
          const items = r?.List?.items ?? [];
          text = `${l} ${n.kind.includes('NOT') ? 'NOT BETWEEN' : 'BETWEEN'} ${deparseExpr(items[0], 'op')} AND ${deparseExpr(items[1], 'op')}`;
          break;
        }
        case 'AEXPR_OP_ANY':
          text = `${l} ${op} ANY (${deparseExpr(r)})`;
          break;
        case 'AEXPR_OP_ALL':
          text = `${l} ${op} ALL (${deparseExpr(r)})`;
          break;
        case 'AEXPR_DISTINCT':
          text = `${l} IS DISTINCT FROM ${deparseExpr(r, 'op')}`;
          break;
        case 'AEXPR_NOT_DISTINCT':
          text = `${l} IS NOT DISTINCT FROM ${deparseExpr(r, 'op')}`;
          break;
        case 'AEXPR_NULLIF':
          return `NULLIF(${l}, ${deparseExpr(r)})`;
        default:
          text = l ? `${l} ${op} ${deparseExpr(r, 'op')}` : `${op}${deparseExpr(r, 'op')}`;
      }
      return parent === 'op' || parent === 'cast' ? `(${text})` : text;
    }
    case 'BoolExpr': {
      if (n.boolop === 'NOT_EXPR') return `NOT ${deparseExpr(n.args?.[0], 'op')}`;
      const text = (n.args ?? []).map((a: Node) => deparseExpr(a, a.BoolExpr ? 'op' : undefined)).join(BOOL_OPS[n.boolop] ?? ' AND ');
      return parent ? `(${text})` : text;
    }
    case 'NullTest':
      return `${deparseExpr(n.arg, 'op')} ${n.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL'}`;
    case 'BooleanTest': {
      const words: Record<string, string> = {
        IS_TRUE: 'IS TRUE',
        IS_NOT_TRUE: 'IS NOT TRUE',
        IS_FALSE: 'IS FALSE',
        IS_NOT_FALSE: 'IS NOT FALSE',
        IS_UNKNOWN: 'IS UNKNOWN',
        IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
      };
      return `${deparseExpr(n.arg, 'op')} ${words[n.booltesttype] ?? 'IS TRUE'}`;
    }
    case 'CoalesceExpr':
      return `COALESCE(${list(n.args)})`;
    case 'MinMaxExpr':
      return `${n.op === 'IS_LEAST' ? 'LEAST' : 'GREATEST'}(${list(n.args)})`;
    case 'A_ArrayExpr':
      return `ARRAY[${list(n.elements)}]`;
    case 'RowExpr':
      return `ROW(${list(n.args)})`;
    case 'List':
      return `(${list(n.items)})`;
    case 'CaseExpr': {
      const whens = (n.args ?? []).map((w: Node) => `WHEN ${deparseExpr(w.CaseWhen?.expr)} THEN ${deparseExpr(w.CaseWhen?.result)}`).join(' ');
      const arg = n.arg ? ` ${deparseExpr(n.arg)}` : '';
      const dflt = n.defresult ? ` ELSE ${deparseExpr(n.defresult)}` : '';
      return `CASE${arg} ${whens}${dflt} END`;
    }
    case 'A_Indirection': {
      const ind = (n.indirection ?? []).map((i: Node) => (i.String ? `.${i.String.sval}` : i.A_Indices ? `[${deparseExpr(i.A_Indices.uidx)}]` : '')).join('');
      return `(${deparseExpr(n.arg)})${ind}`;
    }
    case 'CollateClause':
      return `${deparseExpr(n.arg, 'op')} COLLATE ${(n.collname ?? []).map((c: Node) => quoteIdent(String(c.String?.sval ?? ''))).join('.')}`;
    case 'SubLink':
      return '(SELECT …)';
    default:
      return '…';
  }
}
