import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_IGNORES, isAnalysable, matchesAny, type Settings } from '../engine';

/** A file the walk found and will read. */
export interface Candidate {
  /** Project-relative, `/`-separated. */
  rel: string;
  abs: string;
  size: number;
}

/** A file the CLI skipped before the engine saw it; reported as a `parse-error` note. */
export interface SkipNote {
  file: string;
  message: string;
}

/**
 * Lists the files some front end accepts under `root`. Follows symlinks but never enters a directory twice
 * (real paths are tracked, so a link loop ends), skips DEFAULT_IGNORES and the config's ignores, and notes
 * files over the size cap instead of reading them.
 */
export function listFiles(root: string, settings: Settings): { candidates: Candidate[]; notes: SkipNote[] } {
  const candidates: Candidate[] = [];
  const notes: SkipNote[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const ignored = (rel: string) => matchesAny(rel, DEFAULT_IGNORES) || matchesAny(rel, settings.ignore);

  // Symlinks are followed after everything reachable without them, so a file reachable both ways is named
  // by its real path, not by a link that happens to sort first.
  const deferred: { abs: string; rel: string }[] = [];

  const visit = (abs: string, rel: string, stat: fs.Stats) => {
    if (stat.isDirectory()) {
      if (!ignored(rel + '/')) walk(abs, rel);
    } else if (stat.isFile() && isAnalysable(rel) && !ignored(rel)) {
      const real = safeRealpath(abs);
      if (seenFiles.has(real)) return;
      seenFiles.add(real);
      if (stat.size > settings.maxFileBytes) notes.push({ file: rel, message: `skipped: larger than ${Math.round(settings.maxFileBytes / 1024)} KB` });
      else candidates.push({ rel, abs, size: stat.size });
    }
  };

  const walk = (dir: string, relDir: string) => {
    const real = safeRealpath(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      notes.push({ file: relDir || '.', message: `skipped: cannot read directory (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        deferred.push({ abs, rel });
        continue;
      }
      try {
        visit(abs, rel, fs.lstatSync(abs));
      } catch {
        // removed mid-walk
      }
    }
  };

  walk(root, '');
  for (let i = 0; i < deferred.length; i++) {
    try {
      visit(deferred[i].abs, deferred[i].rel, fs.statSync(deferred[i].abs));
    } catch {
      // a dangling link
    }
  }
  return { candidates, notes };
}

function safeRealpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one file as UTF-8 text, or says why it was skipped (binary, not UTF-8, unreadable). */
export function readText(c: Candidate): { text: string } | { skip: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(c.abs);
  } catch (e) {
    return { skip: `skipped: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { skip: 'skipped: binary file' };
  try {
    return { text: utf8.decode(bytes) }; // a leading BOM is dropped by the decoder
  } catch {
    return { skip: 'skipped: not UTF-8' };
  }
}
