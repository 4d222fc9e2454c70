import * as fs from 'fs';
import * as path from 'path';
import { initEngine } from '../engine';

/**
 * Loads the parsers. From the bundle (dist/cli.js) the wasm files sit next to the script; from source (tsx)
 * the engine finds them in node_modules.
 */
export function initParsers(): Promise<void> {
  const bundled = fs.existsSync(path.join(__dirname, 'tree-sitter-python.wasm'));
  return initEngine(bundled ? { locateWasm: (name) => path.join(__dirname, name) } : {});
}
