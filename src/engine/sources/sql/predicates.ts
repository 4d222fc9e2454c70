import type { PgStmt } from '../../facts/migrations';
import type { PredicateOp } from '../../facts/queries';

// WHERE-clause columns of a parsed DML statement, so rules written for ORM queries (missing-filter-index…)
// also see raw SQL. Deliberately simple: AND-ed comparisons of a column with a parameter or a constant, on a
// single table or on aliased tables of the FROM list. OR branches, sub-selects and expressions are skipped.

export interface SqlPredicate {
  table: string;
  column: string;
  op: PredicateOp;
  /** Offset of the column reference in the SQL text given to the parser (UTF-8 bytes = chars for ASCII). */
  location: number;
}

export interface SqlShape {
  tables: string[];
  predicates: SqlPredicate[];
  orderBy: { table: string; column: string; location: number }[];
  limited: boolean;
  kind: 'select' | 'insert' | 'update' | 'delete' | 'other';
}

/** Tables (FROM/JOIN/UPDATE/DELETE targets), WHERE predicates and ORDER BY columns of one statement. */
export function sqlShape(ast: PgStmt): SqlShape {
  const out: SqlShape = { tables: [], predicates: [], orderBy: [], limited: false, kind: 'other' };
  const aliases = new Map<string, string>();
  const addRange = (rv: any) => {
    if (!rv?.relname) return;
    const name = String(rv.relname).toLowerCase();
    out.tables.push(name);
    aliases.set(name, name);
    if (rv.alias?.aliasname) aliases.set(String(rv.alias.aliasname).toLowerCase(), name);
  };
  const addFrom = (n: any) => {
    if (!n) return;
    if (n.RangeVar) addRange(n.RangeVar);
    else if (n.JoinExpr) {
      addFrom(n.JoinExpr.larg);
      addFrom(n.JoinExpr.rarg);
    }
  };
  let where: any;
  let sort: any[] = [];
  if (ast.SelectStmt) {
    const s = ast.SelectStmt;
    out.kind = 'select';
    for (const f of s.fromClause ?? []) addFrom(f);
    where = s.whereClause;
    sort = s.sortClause ?? [];
    out.limited = !!s.limitCount;
  } else if (ast.UpdateStmt) {
    out.kind = 'update';
    addRange(ast.UpdateStmt.relation);
    for (const f of ast.UpdateStmt.fromClause ?? []) addFrom(f);
    where = ast.UpdateStmt.whereClause;
  } else if (ast.DeleteStmt) {
    out.kind = 'delete';
    addRange(ast.DeleteStmt.relation);
    for (const f of ast.DeleteStmt.usingClause ?? []) addFrom(f);
    where = ast.DeleteStmt.whereClause;
  } else if (ast.InsertStmt) {
    out.kind = 'insert';
    addRange(ast.InsertStmt.relation);
    return out;
  } else return out;

  const single = out.tables.length === 1 ? out.tables[0] : undefined;
  const resolve = (ref: any): { table: string; column: string; location: number } | undefined => {
    const fields = (ref?.fields ?? []).map((f: any) => f?.String?.sval).filter((s: unknown) => typeof s === 'string');
    if (fields.length === 1 && single) return { table: single, column: fields[0].toLowerCase(), location: ref.location ?? 0 };
    if (fields.length === 2) {
      const table = aliases.get(fields[0].toLowerCase());
      if (table) return { table, column: fields[1].toLowerCase(), location: ref.location ?? 0 };
    }
    return undefined;
  };
  const isValue = (n: any) => !!(n?.ParamRef || n?.A_Const || n?.TypeCast?.arg?.ParamRef || n?.TypeCast?.arg?.A_Const);
  const constText = (n: any): string | undefined => n?.A_Const?.sval?.sval ?? n?.TypeCast?.arg?.A_Const?.sval?.sval;
  /**
   * How a LIKE pattern starts: a constant's text, or for `'%' || $1 || '%'` the text of its leftmost constant
   * (what decides whether a btree can serve it); undefined when the start is not known.
   */
  const patternStart = (n: any): string | undefined => {
    let left = n?.TypeCast?.arg ?? n;
    while (left?.A_Expr?.kind === 'AEXPR_OP' && left.A_Expr.name?.[0]?.String?.sval === '||') left = left.A_Expr.lexpr;
    return constText(left);
  };

  const visit = (n: any) => {
    if (!n) return;
    if (n.BoolExpr) {
      if (n.BoolExpr.boolop === 'AND_EXPR') for (const a of n.BoolExpr.args ?? []) visit(a);
      return;
    }
    if (n.NullTest) {
      const c = n.NullTest.arg?.ColumnRef && resolve(n.NullTest.arg.ColumnRef);
      if (c) out.predicates.push({ ...c, op: 'null' });
      return;
    }
    const e = n.A_Expr;
    if (!e) return;
    let col = e.lexpr?.ColumnRef ? resolve(e.lexpr.ColumnRef) : undefined;
    let other = e.rexpr;
    if (!col && e.rexpr?.ColumnRef && e.kind === 'AEXPR_OP') {
      col = resolve(e.rexpr.ColumnRef);
      other = e.lexpr;
    }
    if (!col) return;
    const opName = e.name?.[0]?.String?.sval;
    if (e.kind === 'AEXPR_OP' && isValue(other)) {
      if (opName === '=') out.predicates.push({ ...col, op: 'eq' });
      else if (['<', '<=', '>', '>='].includes(opName)) out.predicates.push({ ...col, op: 'range' });
    } else if (e.kind === 'AEXPR_IN' || (e.kind === 'AEXPR_OP_ANY' && opName === '=')) {
      out.predicates.push({ ...col, op: 'in' });
    } else if (e.kind === 'AEXPR_BETWEEN') {
      out.predicates.push({ ...col, op: 'range' });
    } else if (e.kind === 'AEXPR_LIKE' || e.kind === 'AEXPR_ILIKE') {
      const pattern = patternStart(other);
      const i = e.kind === 'AEXPR_ILIKE' ? 'ilike' : 'like';
      if (pattern === undefined) out.predicates.push({ ...col, op: 'other' });
      else out.predicates.push({ ...col, op: pattern.startsWith('%') || pattern.startsWith('_') ? `${i}-contains` : `${i}-prefix` });
    }
  };
  visit(where);
  for (const s of sort) {
    const ref = s?.SortBy?.node?.ColumnRef;
    const c = ref && resolve(ref);
    if (c) out.orderBy.push(c);
  }
  return out;
}

/** Just the WHERE predicates of one statement. */
export function sqlPredicates(ast: PgStmt): SqlPredicate[] {
  return sqlShape(ast).predicates;
}
