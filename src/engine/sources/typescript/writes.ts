import type * as TS from 'typescript';
import type { ColumnWrite } from '../../facts';
import { clip, declarationOf, type TsContext } from './context';

// A value written to a column, and whether it went through a hash (bcrypt, argon2, crypto.createHash,
// scrypt, a function named *hash*) or is a freshly generated secret (crypto.randomBytes, randomUUID, nanoid).

const HASH_CALL = /(^|\.)(\w*hash\w*|digest|scrypt\w*|pbkdf2\w*|encrypt\w*|createHmac|sign)$/i;
const SECRET_CALL = /(^|\.)(randomBytes|randomUUID|uuid|v4|uuidv4|nanoid|customAlphabet|randomInt|generateSecret|generateToken|cuid|createId|ulid)$/;

export function columnWrite(ctx: TsContext, at: TS.Node, model: string | undefined, column: string, value: TS.Expression): ColumnWrite {
  const calls = callsBehind(ctx, value, 0);
  const w: ColumnWrite = {
    span: ctx.span(at),
    column,
    value: clip(ctx.src(value), 200),
    hashed: calls.some((c) => HASH_CALL.test(c)),
    generatedSecret: calls.some((c) => SECRET_CALL.test(c)),
  };
  if (model) w.model = model;
  return w;
}

/** Callee names in an expression and in the initializers of the local constants it reads (3 levels). */
function callsBehind(ctx: TsContext, node: TS.Node, depth: number): string[] {
  const { ts } = ctx;
  if (depth > 3) return [];
  const out: string[] = [];
  const visit = (n: TS.Node) => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) out.push(ctx.src(n.expression).replace(/\s+/g, ''));
    if (ts.isIdentifier(n) && !(n.parent && ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const d = declarationOf(ctx, n.text, n);
      if (d?.decl?.initializer && d.decl.initializer !== node) out.push(...callsBehind(ctx, d.decl.initializer, depth + 1));
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return out;
}
