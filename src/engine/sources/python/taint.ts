import type { Node } from 'web-tree-sitter';
import { calleeName, dottedName, shortName, stringValue } from './ast';

// Where a value comes from, as far as one function shows it: the helpers the raw SQL, write and client
// extractors share to follow local assignments and to tell constants and allow-listed values from input.

const SCOPE_TYPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** The function body (or the module) a name is looked up in. */
export function scopeOf(node: Node): Node {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return p;
    if (p.type === 'module') return p;
  }
  return node.tree.rootNode;
}

/** Assignments (`=`, `+=`) to `name` directly in `scope` (not in nested defs), in source order. */
export function assignmentsTo(scope: Node, name: string): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [];
  const body = scope.type === 'function_definition' ? scope.childForFieldName('body') : scope;
  if (body) stack.push(body);
  while (stack.length) {
    const n = stack.pop()!;
    if ((n.type === 'assignment' || n.type === 'augmented_assignment') && n.childForFieldName('left')?.text === name) out.push(n);
    for (const c of n.namedChildren) if (c && !SCOPE_TYPES.has(c.type)) stack.push(c);
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}

/**
 * The value `name` holds at `at`: the last plain assignment before it in the same scope, and the `+=`
 * appends that follow it. Undefined when there is none (a parameter, a global, a loop variable).
 */
export function valueAt(name: string, at: Node): { value: Node; appends: Node[]; assignment: Node } | undefined {
  const scope = scopeOf(at);
  const all = assignmentsTo(scope, name).filter((a) => a.endIndex <= at.startIndex);
  let base = -1;
  for (let i = all.length - 1; i >= 0; i--) {
    if (all[i].type === 'assignment') {
      base = i;
      break;
    }
  }
  if (base < 0) {
    if (scope.type === 'function_definition' && !isParameter(scope, name)) return moduleValue(at.tree.rootNode, name);
    return undefined;
  }
  const value = all[base].childForFieldName('right');
  if (!value) return undefined;
  const appends = all.slice(base + 1).filter((a) => a.type === 'augmented_assignment' && a.child(1)?.text === '+=').map((a) => a.childForFieldName('right')!).filter(Boolean);
  return { value, appends, assignment: all[base] };
}

/** A module-level `NAME = value` (the last one). */
export function moduleValue(root: Node, name: string): { value: Node; appends: Node[]; assignment: Node } | undefined {
  let found: Node | undefined;
  for (const st of root.namedChildren) {
    if (st?.type !== 'expression_statement') continue;
    const a = st.namedChildren[0];
    if (a?.type === 'assignment' && a.childForFieldName('left')?.text === name) found = a;
  }
  const value = found?.childForFieldName('right');
  return found && value ? { value, appends: [], assignment: found } : undefined;
}

export function parameterNames(def: Node): string[] {
  const params = def.childForFieldName('parameters');
  if (!params) return [];
  const out: string[] = [];
  for (const p of params.namedChildren) {
    if (!p) continue;
    if (p.type === 'identifier') out.push(p.text);
    else {
      const id = p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier');
      if (id) out.push(id.text);
    }
  }
  return out;
}

export function isParameter(def: Node, name: string): boolean {
  return parameterNames(def).includes(name);
}

const isUpperConst = (name: string) => /^_?[A-Z][A-Z0-9_]*$/.test(name);

/** A literal collection of constants (dict/set/list/tuple) or a name bound to one / an UPPER_CASE name. */
export function isConstantCollection(node: Node | null | undefined, depth = 0): boolean {
  if (!node || depth > 3) return false;
  if (['dictionary', 'set', 'list', 'tuple'].includes(node.type)) return true;
  if (node.type === 'call' && ['frozenset', 'set', 'tuple', 'list'].includes(calleeName(node))) return true;
  if (node.type === 'identifier' || node.type === 'attribute') {
    const name = node.type === 'identifier' ? node.text : (node.childForFieldName('attribute')?.text ?? '');
    // `request.GET` / `self.request.META` are user input, not UPPER_CASE constants (Django/DRF request data).
    if (node.type === 'attribute' && /(^|\.)request$/.test(node.childForFieldName('object')?.text ?? '') && /^(GET|POST|COOKIES|META|FILES|headers|data|query_params)$/.test(name)) return false;
    if (isUpperConst(name)) return true;
    if (node.type === 'identifier') {
      const v = valueAt(node.text, node);
      return !!v && !v.appends.length && isConstantCollection(v.value, depth + 1);
    }
  }
  return false;
}

export interface Safety {
  safe: boolean;
  reason: string;
}

const NUMERIC_CASTS = new Set(['int', 'float', 'len', 'bool', 'round', 'abs', 'Decimal', 'uuid.UUID', 'UUID']);
const PSYCOPG_SAFE = new Set(['Identifier', 'Literal', 'Placeholder']);

/** Is the value of `node` safe to paste into SQL text (constant, allow-listed, numeric) or not, and why. */
export function classify(node: Node, depth = 0): Safety {
  const code = node.text.length > 40 ? node.text.slice(0, 37) + '…' : node.text;
  if (depth > 6) return { safe: false, reason: `\`${code}\` could not be followed` };
  switch (node.type) {
    case 'parenthesized_expression':
      return node.namedChildren[0] ? classify(node.namedChildren[0], depth + 1) : { safe: true, reason: 'constant' };
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return { safe: true, reason: 'a constant' };
    case 'string':
    case 'concatenated_string': {
      if (stringValue(node) !== undefined) return { safe: true, reason: 'a constant' };
      for (const i of node.descendantsOfType('interpolation')) {
        const e = i?.namedChildren[0];
        if (e) {
          const s = classify(e, depth + 1);
          if (!s.safe) return s;
        }
      }
      return { safe: true, reason: 'built from constants' };
    }
    case 'conditional_expression': {
      const [a, , b] = node.namedChildren;
      const sa = a ? classify(a, depth + 1) : { safe: false, reason: '' };
      if (!sa.safe) return sa;
      const sb = b ? classify(b, depth + 1) : { safe: false, reason: '' };
      return sb.safe ? { safe: true, reason: 'one of two constants' } : sb;
    }
    case 'binary_operator': {
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      const sl = l ? classify(l, depth + 1) : { safe: false, reason: '' };
      if (!sl.safe) return sl;
      return r ? classify(r, depth + 1) : sl;
    }
    case 'subscript': {
      const obj = node.childForFieldName('value');
      if (isConstantCollection(obj)) return { safe: true, reason: `looked up in the allow-list \`${obj!.text}\`` };
      break;
    }
    case 'call': {
      const name = calleeName(node);
      const fn = node.childForFieldName('function');
      if (NUMERIC_CASTS.has(name)) return { safe: true, reason: `converted by ${name}()` };
      if (PSYCOPG_SAFE.has(shortName(name)) && /(^|\.)sql\./.test(name + '.')) return { safe: true, reason: `quoted by psycopg's ${shortName(name)}` };
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'get' && isConstantCollection(fn.childForFieldName('object')))
        return { safe: true, reason: `looked up in the allow-list \`${fn.childForFieldName('object')!.text}\`` };
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'join') {
        const arg = node.childForFieldName('arguments')?.namedChildren[0];
        if (arg && joinOfConstants(arg)) return { safe: true, reason: 'a list of placeholders' };
      }
      break;
    }
    case 'attribute': {
      const attr = node.childForFieldName('attribute')?.text ?? '';
      if (isUpperConst(attr) || attr === '__tablename__') return { safe: true, reason: 'a constant' };
      break;
    }
    case 'identifier': {
      const name = node.text;
      if (isUpperConst(name)) return { safe: true, reason: 'a constant' };
      if (validatedAgainstAllowList(node)) return { safe: true, reason: `checked against an allow-list before use` };
      const scope = scopeOf(node);
      const v = valueAt(name, node);
      if (v) {
        let s = classify(v.value, depth + 1);
        for (const a of v.appends) if (s.safe) s = classify(a, depth + 1);
        if (s.safe) return s;
        return { safe: false, reason: s.reason };
      }
      const loop = loopBinding(node, name);
      if (loop) return loop;
      if (scope.type === 'function_definition' && isParameter(scope, name)) return { safe: false, reason: `comes from the function parameter \`${name}\`` };
      return { safe: false, reason: `\`${name}\` is not a constant or an allow-listed value` };
    }
  }
  if (/\brequest\b/.test(node.text)) return { safe: false, reason: `comes from the request (\`${code}\`)` };
  const root = rootName(node);
  const scope = scopeOf(node);
  if (root && scope.type === 'function_definition' && isParameter(scope, root)) return { safe: false, reason: `comes from the function parameter \`${root}\`` };
  return { safe: false, reason: `\`${code}\` is not a constant or an allow-listed value` };
}

function rootName(node: Node): string | undefined {
  let n: Node | null = node;
  while (n && (n.type === 'attribute' || n.type === 'call' || n.type === 'subscript')) {
    n = n.type === 'attribute' ? n.childForFieldName('object') : n.type === 'call' ? n.childForFieldName('function') : n.childForFieldName('value');
  }
  return n?.type === 'identifier' ? n.text : undefined;
}

/** `["%s"] * len(ids)`, `("?" for _ in ids)`, `[":p%d" % i for i …]`: a list of constant placeholders. */
function joinOfConstants(arg: Node): boolean {
  if (arg.type === 'binary_operator') {
    const l = arg.childForFieldName('left');
    return !!l && (l.type === 'list' || l.type === 'tuple') && l.namedChildren.every((c) => !!c && stringValue(c) !== undefined);
  }
  if (arg.type === 'generator_expression' || arg.type === 'list_comprehension') {
    const body = arg.childForFieldName('body');
    return !!body && classifyLoose(body);
  }
  return false;
}

function classifyLoose(node: Node): boolean {
  if (stringValue(node) !== undefined) return true;
  if (node.type === 'binary_operator' && node.child(1)?.text === '%') return stringValue(node.childForFieldName('left')) !== undefined;
  return false;
}

/** `for x in ALLOWED:` binds x to a constant. */
function loopBinding(node: Node, name: string): Safety | undefined {
  for (let p = node.parent; p && !SCOPE_TYPES.has(p.type); p = p.parent) {
    if (p.type === 'for_statement' && p.childForFieldName('left')?.text === name) {
      const right = p.childForFieldName('right');
      if (isConstantCollection(right)) return { safe: true, reason: `an item of the constant \`${right!.text}\`` };
    }
  }
  return undefined;
}

/**
 * `if x not in ALLOWED: raise …` / `assert x in ALLOWED` before the use, or the use inside `if x in ALLOWED:`.
 */
export function validatedAgainstAllowList(use: Node): boolean {
  const name = use.text;
  const membership = (cond: Node | null | undefined, negated: boolean): boolean => {
    if (!cond || cond.type !== 'comparison_operator') return false;
    const ops = cond.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
    const [l, r] = cond.namedChildren;
    if (l?.text !== name || ops.length !== 1) return false;
    if (ops[0] !== (negated ? 'not in' : 'in')) return false;
    return isConstantCollection(r);
  };
  for (let p = use.parent; p && !SCOPE_TYPES.has(p.type); p = p.parent) {
    if (p.type === 'if_statement' && membership(p.childForFieldName('condition'), false)) {
      const cons = p.childForFieldName('consequence');
      if (cons && use.startIndex >= cons.startIndex && use.endIndex <= cons.endIndex) return true;
    }
  }
  const scope = scopeOf(use);
  const body = scope.type === 'function_definition' ? scope.childForFieldName('body') : scope;
  if (!body) return false;
  for (const n of body.descendantsOfType(['if_statement', 'assert_statement'])) {
    if (!n || n.endIndex > use.startIndex) continue;
    if (n.type === 'assert_statement' && membership(n.namedChildren[0], false)) return true;
    if (n.type === 'if_statement' && membership(n.childForFieldName('condition'), true)) {
      const cons = n.childForFieldName('consequence');
      if (!cons) continue;
      const exits = cons.descendantsOfType(['raise_statement', 'return_statement']).length > 0 ||
        cons.descendantsOfType('call').some((c) => c && /^(abort|flask\.abort)$/.test(calleeName(c))) ||
        assignmentsTo(cons, name).length > 0;
      if (exits) return true;
    }
  }
  return false;
}

export { dottedName };
