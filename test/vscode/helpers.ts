// Shared by the pure extension tests: the fixture workspace analysed by the real engine.
import * as fs from 'fs';
import * as path from 'path';
import { Engine, initEngine, type AnalysisResult } from '../../src/engine';

export const FIXTURE = path.join(__dirname, '..', 'fixtures', 'vscode-workspace');

export function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.set(path.relative(root, abs).split(path.sep).join('/'), fs.readFileSync(abs, 'utf8'));
    }
  };
  walk(root);
  return out;
}

export async function analyseFixture(edit?: (files: Map<string, string>) => void): Promise<{ engine: Engine; result: AnalysisResult; files: Map<string, string> }> {
  await initEngine();
  const files = readTree(FIXTURE);
  edit?.(files);
  const engine = new Engine();
  for (const [p, t] of files) engine.setFile(p, t);
  return { engine, result: engine.analyze(), files };
}
