import type { FileFacts } from '../facts';
import type { Settings } from '../settings';
import type { LineIndex } from '../text';

/** One language front end: turns one file into facts. Never throws for bad input: it reports problems. */
export interface Frontend {
  language: string;
  accepts(path: string): boolean;
  /** Fills `facts` (already created empty for `path`). May throw on a bug; the engine turns that into a problem. */
  extract(input: { path: string; text: string; lines: LineIndex; settings: Settings }, facts: FileFacts): void;
}
