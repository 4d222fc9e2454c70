import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Engine, fnv1a64, isAnalysable, LineIndex, type SourceFile } from '../../src/engine';
import { FIXTURES, ready$, readCase, readTree, ROOT } from '../helpers';

// Bad input never stops a run (DESIGN invariant 7). Every analysable file under test/fixtures and examples/
// is mutated many times — truncated, edited byte by byte, lines dropped or duplicated, quotes and brackets
// inserted — inside its own project, and the engine must neither throw nor report a span outside the file.
// The PRNG is seeded per file and mutation, so a failure names a case that reproduces.

const MUTATIONS_PER_FILE = Number(process.env.PGREADY_FUZZ_ROUNDS ?? 12);

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = ['"', "'", '"""', "'''", '(', ')', '[', ']', '{', '}', ':', ',', '\\', '#', '--', '/*', '$$', ';', '\n', '\r\n', '\t', ' ', 'é', '😀', '\u2028', 'def ', 'class ', 'op.', 'CREATE INDEX ', 'for x in y:\n    ', '\u0000'];

type Mutation = (text: string, rnd: () => number) => string;

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)];
const at = (text: string, rnd: () => number) => Math.floor(rnd() * (text.length + 1));

const MUTATIONS: Record<string, Mutation> = {
  truncate: (t, r) => t.slice(0, at(t, r)),
  editChars: (t, r) => {
    let s = t;
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) {
      const p = at(s, r);
      const kind = r();
      if (kind < 0.33) s = s.slice(0, p) + s.slice(p + 1);
      else if (kind < 0.66) s = s.slice(0, p) + String.fromCharCode(32 + Math.floor(r() * 95)) + s.slice(p + 1);
      else s = s.slice(0, p) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(p);
    }
    return s;
  },
  deleteLines: (t, r) => {
    const lines = t.split('\n');
    const start = Math.floor(r() * lines.length);
    lines.splice(start, 1 + Math.floor(r() * 5));
    return lines.join('\n');
  },
  duplicateLines: (t, r) => {
    const lines = t.split('\n');
    const start = Math.floor(r() * lines.length);
    const chunk = lines.slice(start, start + 1 + Math.floor(r() * 10));
    lines.splice(Math.floor(r() * lines.length), 0, ...chunk);
    return lines.join('\n');
  },
  insertNoise: (t, r) => {
    let s = t;
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const p = at(s, r);
      s = s.slice(0, p) + pick(NOISE, r) + s.slice(p);
    }
    return s;
  },
  dedent: (t, r) => t.replace(/\n {4}/g, (m) => (r() < 0.2 ? '\n' : m)),
};
const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Every project to fuzz: example projects, fixture project folders, rule fixture cases. */
function projects(): { name: string; files: SourceFile[] }[] {
  const out: { name: string; files: SourceFile[] }[] = [];
  const add = (name: string, files: SourceFile[]) => {
    if (files.some((f) => isAnalysable(f.path))) out.push({ name, files });
  };
  const dirs = (d: string) => (fs.existsSync(d) ? fs.readdirSync(d).sort().map((n) => path.join(d, n)) : []);
  for (const p of dirs(path.join(ROOT, 'examples'))) if (fs.statSync(p).isDirectory()) add(path.relative(ROOT, p), readTree(p));
  for (const p of dirs(path.join(FIXTURES, 'projects'))) if (fs.statSync(p).isDirectory()) add(path.relative(ROOT, p), readTree(p));
  for (const rule of dirs(path.join(FIXTURES, 'rules'))) for (const c of dirs(rule)) add(path.relative(ROOT, c), readCase(c));
  add('test/cli/fixtures/small', readTree(path.join(ROOT, 'test', 'cli', 'fixtures', 'small')));
  return out;
}

function checkSpans(engine: Engine, where: string): void {
  const result = engine.analyze();
  for (const f of result.findings) {
    for (const s of [f.span, ...(f.related ?? []).map((r) => r.span)]) {
      if (!s) continue;
      const text = engine.text(s.file);
      assert.ok(text !== undefined, `${where}: ${f.rule} points at unknown file ${s.file}`);
      assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= text.length, `${where}: ${f.rule} span [${s.start}, ${s.end}) outside ${s.file} (${text.length} chars)`);
      const lines = new LineIndex(text);
      assert.deepEqual({ line: s.line, column: s.column }, lines.position(s.start), `${where}: ${f.rule} start line/column disagree with the offset`);
      assert.deepEqual({ line: s.endLine, column: s.endColumn }, lines.position(s.end), `${where}: ${f.rule} end line/column disagree with the offset`);
    }
  }
}

describe('robustness: mutated inputs', function () {
  this.timeout(120_000);
  before(ready$);

  it('never throws and keeps every span inside its file', () => {
    let cases = 0;
    for (const project of projects()) {
      // One warm engine per project: each mutation replaces one file, as an editor does on every keystroke.
      const engine = new Engine();
      for (const f of project.files) engine.setFile(f.path, f.text);
      for (const file of project.files.filter((f) => isAnalysable(f.path))) {
        for (let i = 0; i < MUTATIONS_PER_FILE; i++) {
          const seed = parseInt(fnv1a64(`${project.name}/${file.path}#${i}`).slice(0, 8), 16);
          const rnd = prng(seed);
          const name = MUTATION_NAMES[i % MUTATION_NAMES.length];
          const where = `${project.name}/${file.path} mutation ${i} (${name}, seed ${seed})`;
          let text = MUTATIONS[name](file.text, rnd);
          if (rnd() < 0.3) text = MUTATIONS[pick(MUTATION_NAMES, rnd)](text, rnd);
          try {
            engine.setFile(file.path, text);
            checkSpans(engine, where);
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e;
            throw new Error(`${where}: threw ${(e as Error)?.stack ?? e}`);
          }
          cases++;
        }
        engine.setFile(file.path, file.text);
      }
    }
    assert.ok(cases > 0);
  });
});
