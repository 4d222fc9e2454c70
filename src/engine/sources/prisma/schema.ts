// A small parser for Prisma schema files: blocks (`model`, `enum`, `datasource`, `generator`, `view`,
// `type`), their fields with type modifiers and `@attributes`, and `@@block` attributes. It keeps UTF-16
// offsets of every piece so facts can point at the field or attribute a user edits. It does not validate:
// Prisma's own tooling does that; unknown syntax is skipped, never fatal.

export interface PrismaArg {
  /** Named argument (`fields: [a]`) or undefined for positional. */
  name?: string;
  /** The argument's source text, trimmed. */
  value: string;
}

export interface PrismaAttribute {
  /** Without the `@`/`@@`: "id", "unique", "relation", "db.VarChar", "map", "index". */
  name: string;
  args: PrismaArg[];
  start: number;
  end: number;
}

export interface PrismaField {
  name: string;
  /** Base type name ("Int", "String", "User"). */
  type: string;
  list: boolean;
  optional: boolean;
  attributes: PrismaAttribute[];
  start: number;
  end: number;
}

export interface PrismaBlock {
  kind: string;
  name: string;
  fields: PrismaField[];
  attributes: PrismaAttribute[];
  /** Key = value lines (datasource, generator). */
  settings: Map<string, { value: string; start: number; end: number }>;
  /** Enum values. */
  values: string[];
  start: number;
  /** End of the header line (`model User {`). */
  headerEnd: number;
  end: number;
}

/** Blanks `//` comments (keeping offsets), leaving string contents alone. */
function stripComments(text: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inStr) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') {
      inStr = true;
      out += ch;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
      if (i < text.length) out += '\n';
      continue;
    }
    out += ch;
  }
  return out;
}

/** Splits `a, b(c, d), [e, f]` at top-level commas. */
export function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      cur += ch;
      if (ch === '\\') cur += s[++i] ?? '';
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

function parseArgs(inner: string): PrismaArg[] {
  return splitTop(inner).map((p) => {
    const m = /^([A-Za-z_]\w*)\s*:\s*([\s\S]*)$/.exec(p);
    return m ? { name: m[1], value: m[2].trim() } : { value: p };
  });
}

/** Reads `@name(args)` / `@@name(args)` attributes starting at each `@` in `line` (offset `base`). */
function parseAttributes(line: string, base: number, prefix: '@' | '@@'): PrismaAttribute[] {
  const out: PrismaAttribute[] = [];
  const re = prefix === '@@' ? /@@([A-Za-z_][\w.]*)/g : /(?<!@)@([A-Za-z_][\w.]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    let end = m.index + m[0].length;
    let args: PrismaArg[] = [];
    if (line[end] === '(') {
      let depth = 0;
      let inStr = false;
      let i = end;
      for (; i < line.length; i++) {
        const ch = line[i];
        if (inStr) {
          if (ch === '\\') i++;
          else if (ch === '"') inStr = false;
          continue;
        }
        if (ch === '"') inStr = true;
        else if (ch === '(') depth++;
        else if (ch === ')' && --depth === 0) break;
      }
      args = parseArgs(line.slice(end + 1, i));
      end = i + 1;
      re.lastIndex = end;
    }
    out.push({ name: m[1], args, start: base + m.index, end: base + end });
  }
  return out;
}

/** Parses a schema file into blocks. Multi-line attribute arguments are joined onto one logical line. */
export function parsePrismaSchema(source: string): PrismaBlock[] {
  const text = stripComments(source);
  const blocks: PrismaBlock[] = [];
  const header = /^[ \t]*(model|enum|datasource|generator|view|type)\s+([A-Za-z_]\w*)\s*\{/gm;
  let m: RegExpExecArray | null;
  while ((m = header.exec(text))) {
    const start = m.index + m[0].length - m[0].trimStart().length;
    const open = m.index + m[0].length;
    // The block ends at the first `}` at depth 0 outside strings.
    let depth = 1;
    let inStr = false;
    let i = open;
    for (; i < text.length && depth > 0; i++) {
      const ch = text[i];
      if (inStr) {
        if (ch === '\\') i++;
        else if (ch === '"') inStr = false;
        continue;
      }
      if (ch === '"') inStr = true;
      else if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if (ch === '}' || ch === ')' || ch === ']') depth--;
    }
    const end = i;
    const block: PrismaBlock = { kind: m[1], name: m[2], fields: [], attributes: [], settings: new Map(), values: [], start, headerEnd: open, end };
    for (const line of logicalLines(text, open, end - 1)) {
      const t = line.text.trim();
      if (!t) continue;
      const lead = line.start + line.text.indexOf(t);
      if (t.startsWith('@@')) {
        block.attributes.push(...parseAttributes(t, lead, '@@'));
        continue;
      }
      if (block.kind === 'datasource' || block.kind === 'generator') {
        const kv = /^([A-Za-z_]\w*)\s*=\s*([\s\S]+)$/.exec(t);
        if (kv) block.settings.set(kv[1], { value: kv[2].trim(), start: lead, end: lead + t.length });
        continue;
      }
      if (block.kind === 'enum') {
        const v = /^([A-Za-z_]\w*)/.exec(t);
        if (v) block.values.push(v[1]);
        continue;
      }
      const f = /^([A-Za-z_]\w*)\s+([A-Za-z_][\w.]*)(\[\])?(\?)?/.exec(t);
      if (!f) continue;
      block.fields.push({
        name: f[1],
        type: f[2],
        list: !!f[3],
        optional: !!f[4],
        attributes: parseAttributes(t.slice(f[0].length), lead + f[0].length, '@'),
        start: lead,
        end: lead + t.length,
      });
    }
    blocks.push(block);
    header.lastIndex = end;
  }
  return blocks;
}

/** Lines of a block body, with a line continued while brackets are open (multi-line `@@index([…])`). */
function logicalLines(text: string, from: number, to: number): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  let start = from;
  let depth = 0;
  let inStr = false;
  for (let i = from; i <= to; i++) {
    const ch = text[i];
    if (i === to || (ch === '\n' && depth <= 0)) {
      out.push({ text: text.slice(start, i).replace(/\n/g, ' '), start });
      start = i + 1;
      continue;
    }
    if (inStr) {
      if (ch === '\\') i++;
      else if (ch === '"') inStr = false;
      continue;
    }
    if (ch === '"') inStr = true;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
  }
  return out;
}

/** `"x"` → x; other text unchanged. */
export function unquote(s: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(s.trim());
  return m ? m[1].replace(/\\(.)/g, '$1') : s.trim();
}

/** `[a, b(sort: Desc), c(ops: raw("gin_trgm_ops"))]` → [{name, args}]. */
export function listItems(s: string | undefined): { name: string; args: PrismaArg[] }[] {
  if (!s) return [];
  const inner = s.trim().replace(/^\[/, '').replace(/\]$/, '');
  return splitTop(inner).map((item) => {
    const m = /^([A-Za-z_][\w.]*)\s*(?:\(([\s\S]*)\))?$/.exec(item.trim());
    return m ? { name: m[1], args: m[2] ? parseArgs(m[2]) : [] } : { name: item.trim(), args: [] };
  });
}
