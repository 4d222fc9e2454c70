// Loads tree-sitter and the Python grammar once. web-tree-sitter is required (not imported) so esbuild
// picks its CJS build; its ESM build crashes in a CJS bundle (import.meta.url is empty there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TreeSitter = require('web-tree-sitter') as typeof import('web-tree-sitter');
import type { Language, Parser as TSParser } from 'web-tree-sitter';

let parser: TSParser | undefined;
let language: Language | undefined;

/** `locate(name)` maps a wasm file name to a path; defaults to the installed packages (source/test runs). */
export async function initPython(locate?: (name: string) => string): Promise<void> {
  if (parser) return;
  const where = locate ?? defaultLocate;
  await TreeSitter.Parser.init({ locateFile: (name: string) => where(name) });
  language = await TreeSitter.Language.load(where('tree-sitter-python.wasm'));
  const p = new TreeSitter.Parser();
  p.setLanguage(language);
  parser = p;
}

function defaultLocate(name: string): string {
  if (name === 'tree-sitter-python.wasm') return require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  return require.resolve(`web-tree-sitter/${name}`);
}

export function pythonParser(): TSParser {
  if (!parser) throw new Error('pgready engine not initialised: call initEngine() first');
  return parser;
}

export function pythonLanguage(): Language {
  if (!language) throw new Error('pgready engine not initialised: call initEngine() first');
  return language;
}
