import * as fs from 'fs';
import * as path from 'path';
import { defaultSettings, parseSettings, type Settings } from '../engine';
import { UsageError } from './args';

export const CONFIG_FILE = '.pgready.json';

/**
 * Settings for a run: `--config FILE` if given (it must exist), else `.pgready.json` at the root if present,
 * else defaults. Any problem is a one-line usage error naming the file.
 */
export function loadSettings(root: string, explicit?: string): { settings: Settings; file?: string } {
  const file = explicit ?? path.join(root, CONFIG_FILE);
  if (!explicit && !fs.existsSync(file)) return { settings: defaultSettings() };
  const shown = explicit ?? CONFIG_FILE;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`invalid JSON in config ${shown}: ${(e as Error).message}`);
  }
  try {
    return { settings: parseSettings(raw), file };
  } catch (e) {
    throw new UsageError(`bad config ${shown}: ${(e as Error).message}`);
  }
}
