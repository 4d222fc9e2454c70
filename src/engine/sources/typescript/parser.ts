// The TypeScript compiler API, loaded on the first TS/JS file rather than at engine init: `require`
// takes about 300 ms, and a Python-only project should not pay it. The front ends are synchronous, so
// this is a synchronous require. Pinned to typescript 5.9: 7.x (the Go port) has no in-process parser.
import type * as TS from 'typescript';

let ts: typeof TS | undefined;

export function tsApi(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ts ??= require('typescript') as typeof TS;
  return ts;
}

export const TS_EXTENSIONS = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

export function acceptsTs(path: string): boolean {
  return TS_EXTENSIONS.test(path) && !/\.d\.[mc]?ts$/.test(path) && !/\.min\.js$/.test(path);
}

/** One parse per file, with parent pointers (extractors walk up to loops and functions). */
export function parseTs(path: string, text: string): TS.SourceFile {
  const t = tsApi();
  const kind = /\.tsx$/.test(path) ? t.ScriptKind.TSX : /\.jsx$/.test(path) ? t.ScriptKind.JSX : /\.[mc]?js$/.test(path) ? t.ScriptKind.JS : t.ScriptKind.TS;
  return t.createSourceFile(path, text, t.ScriptTarget.Latest, true, kind);
}
