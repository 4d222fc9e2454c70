import type { PgStmt } from '../../facts/migrations';

// The column equalities that join the tables of one DML statement (`JOIN projects p ON p.id = t.project_id`,
// `JOIN x USING (id)`, or `a.x = b.y` in WHERE), so a rule can tell which tables the planner can reach
// through an index from a selectively filtered one instead of scanning them. Deliberately simple, like
// predicates.ts: AND-ed `alias.column = alias.column` conditions of the top-level FROM list; OR branches,
// sub-selects and CTEs are skipped (fewer edges only ever means "not proven reachable").

export interface SqlColumn {
  table: string;
  column: string;
}

/** `a.table.a.column = b.table.b.column`; for USING, the column may exist on only some of the candidates. */
export interface SqlJoinEdge {
  a: SqlColumn;
  b: SqlColumn;
}

type Node = Record<string, any>;

export function sqlJoinEdges(ast: PgStmt): SqlJoinEdge[] {
  const edges: SqlJoinEdge[] = [];
  const aliases = new Map<string, string>();
  const quals: Node[] = [];
  const using: { left: string[]; right: string[]; columns: string[] }[] = [];

  /** The tables of a FROM item, registering aliases and collecting join conditions on the way. */
  const from = (n: Node | undefined): string[] => {
    if (!n) return [];
    if (n.RangeVar?.relname) {
      const name = String(n.RangeVar.relname).toLowerCase();
      aliases.set(name, name);
      if (n.RangeVar.alias?.aliasname) aliases.set(String(n.RangeVar.alias.aliasname).toLowerCase(), name);
      return [name];
    }
    const j = n.JoinExpr;
    if (!j) return [];
    const left = from(j.larg);
    const right = from(j.rarg);
    if (j.quals) quals.push(j.quals);
    const cols = (j.usingClause ?? []).map((u: Node) => u?.String?.sval).filter((s: unknown): s is string => typeof s === 'string');
    if (cols.length) using.push({ left, right, columns: cols.map((c: string) => c.toLowerCase()) });
    return [...left, ...right];
  };

  let where: Node | undefined;
  if (ast.SelectStmt) {
    for (const f of ast.SelectStmt.fromClause ?? []) from(f);
    where = ast.SelectStmt.whereClause;
  } else if (ast.UpdateStmt) {
    from({ RangeVar: ast.UpdateStmt.relation });
    for (const f of ast.UpdateStmt.fromClause ?? []) from(f);
    where = ast.UpdateStmt.whereClause;
  } else if (ast.DeleteStmt) {
    from({ RangeVar: ast.DeleteStmt.relation });
    for (const f of ast.DeleteStmt.usingClause ?? []) from(f);
    where = ast.DeleteStmt.whereClause;
  } else return edges;
  if (where) quals.push(where);

  const column = (ref: Node | undefined): SqlColumn | undefined => {
    const fields = (ref?.fields ?? []).map((f: Node) => f?.String?.sval);
    if (fields.length !== 2 || fields.some((f: unknown) => typeof f !== 'string')) return undefined;
    const table = aliases.get(fields[0].toLowerCase());
    return table ? { table, column: fields[1].toLowerCase() } : undefined;
  };
  const visit = (n: Node | undefined) => {
    if (!n) return;
    if (n.BoolExpr) {
      if (n.BoolExpr.boolop === 'AND_EXPR') for (const a of n.BoolExpr.args ?? []) visit(a);
      return;
    }
    const e = n.A_Expr;
    if (e?.kind !== 'AEXPR_OP' || e.name?.[0]?.String?.sval !== '=') return;
    const a = column(e.lexpr?.ColumnRef);
    const b = column(e.rexpr?.ColumnRef);
    // A self-join relates two aliases of one table; predicates are per table, so it proves nothing here.
    if (a && b && a.table !== b.table) edges.push({ a, b });
  };
  for (const q of quals) visit(q);
  for (const u of using) {
    for (const c of u.columns) for (const l of u.left) for (const r of u.right) if (l !== r) edges.push({ a: { table: l, column: c }, b: { table: r, column: c } });
  }
  return edges;
}
