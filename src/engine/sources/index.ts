import { emptyFileFacts, type FileFacts } from '../facts';
import type { Settings } from '../settings';
import { LineIndex } from '../text';
import { configFrontend } from './config';
import type { Frontend } from './frontend';
import { pythonFrontend } from './python';
import { sqlFrontend } from './sql';
import { prismaFrontend } from './prisma';
import { typescriptFrontend } from './typescript';

/** Every front end whose `accepts` matches runs on a file; the first one names its language. */
export const FRONTENDS: Frontend[] = [pythonFrontend, sqlFrontend, typescriptFrontend, prismaFrontend, configFrontend];

export function isAnalysable(path: string): boolean {
  return FRONTENDS.some((f) => f.accepts(path));
}

/** Extracts one file's facts. Never throws: bad input and front-end bugs become problems on the file. */
export function extractFile(path: string, text: string, settings: Settings): { facts: FileFacts; lines: LineIndex } {
  const lines = new LineIndex(text);
  const frontends = FRONTENDS.filter((f) => f.accepts(path));
  const facts = emptyFileFacts(path, frontends[0]?.language ?? 'skipped');
  if (text.length > settings.maxFileBytes) {
    facts.language = 'skipped';
    facts.problems.push({ file: path, message: `skipped: larger than ${Math.round(settings.maxFileBytes / 1024)} KB` });
    return { facts, lines };
  }
  if (text.includes('\u0000')) {
    facts.language = 'skipped';
    facts.problems.push({ file: path, message: 'skipped: binary file' });
    return { facts, lines };
  }
  for (const fe of frontends) {
    try {
      fe.extract({ path, text, lines, settings }, facts);
    } catch (e) {
      facts.problems.push({ file: path, message: `internal error in the ${fe.language} front end: ${(e as Error)?.message ?? e}` });
    }
  }
  return { facts, lines };
}
