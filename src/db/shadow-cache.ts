import { createHash, webcrypto } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ShadowNote } from './shadow';

// The shadow database's cache: one file per build, `<key>.shadow`, holding a header line, a JSON line
// (what the build found: notes, tables, and the size and SHA-256 of what follows) and PGlite's data
// directory as an uncompressed tar (`dumpDataDir('none')`), which `PGlite.create({ loadDataDir })` loads
// into memory.
//
// Why this form (examples/fastapi-shop, 2 cores, load ~3, PGlite start to first answer, median of 7 fresh
// processes): this tar in memory 0.63 s (1.03 s CPU, 414 MB RSS); the same tar gzipped 0.73 s; a private
// copy of the data directory on disk for PGlite's NODEFS 0.69 s (353 MB RSS; each process needs its own
// copy: PostgreSQL writes to its data directory even to read, and a crash leaves the copy behind); opening
// one shared directory in place 0.46 s, which is not safe. The entry is ~18 MB (2 MB gzipped) because the
// build keeps it small (see INITDB_PARAMS and compact() in shadow.ts).
//
// Safety: a builder writes `<key>.shadow.tmp-<pid>-<random>` and renames it into place, so a reader sees
// a whole file or none; concurrent builders of the same key write equivalent builds and the last rename
// wins. A reader only updates the file's mtime (for pruning). A file that does not parse, is short, or whose digest differs
// is deleted and rebuilt; bytes that reach PGlite are exactly the bytes a build wrote (garbage would
// otherwise reach PGlite's gzip fallback, whose stream error is an unhandled rejection).

const MAGIC = 'pgready-shadow 2';
const SUFFIX = '.shadow';
/** Temp files older than this are leftovers of a builder that died. */
const STALE_TMP_MS = 60 * 60 * 1000;

export interface CacheMeta {
  key: string;
  created: string;
  steps: number;
  rows: number;
  notes: ShadowNote[];
  tables: string[];
}

interface StoredMeta extends CacheMeta {
  tarBytes: number;
  sha256: string;
}

export type CacheRead = { ok: true; meta: CacheMeta; tar: Uint8Array } | { ok: false; reason: string };

export function cacheFileFor(dir: string, key: string): string {
  return path.join(dir, `${key}${SUFFIX}`);
}

/** Reads and checks a cache entry. `reason: 'missing'` when there is none; other reasons mean a broken file. */
export async function readCacheEntry(file: string, key: string): Promise<CacheRead> {
  let buf: Buffer;
  try {
    buf = await fs.promises.readFile(file);
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `cannot read it: ${(e as Error).message}` };
  }
  const first = buf.indexOf(10);
  const second = first < 0 ? -1 : buf.indexOf(10, first + 1);
  if (first < 0 || second < 0 || buf.subarray(0, first).toString('latin1') !== MAGIC) return { ok: false, reason: 'not a pgready shadow cache file' };
  let meta: StoredMeta;
  try {
    meta = JSON.parse(buf.subarray(first + 1, second).toString('utf8')) as StoredMeta;
  } catch {
    return { ok: false, reason: 'its header does not parse' };
  }
  if (!meta || meta.key !== key || !Array.isArray(meta.notes) || !Array.isArray(meta.tables) || typeof meta.sha256 !== 'string') return { ok: false, reason: 'its header is not for this build' };
  const tar = buf.subarray(second + 1);
  if (tar.length !== meta.tarBytes) return { ok: false, reason: `${tar.length} bytes of data where ${meta.tarBytes} were written` };
  // WebCrypto's digest runs off the main thread (~40 ms for 20 MB with SHA extensions).
  const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', tar)).toString('hex');
  if (digest !== meta.sha256) return { ok: false, reason: 'its data does not match its checksum' };
  const { tarBytes: _b, sha256: _s, ...rest } = meta;
  return { ok: true, meta: rest, tar };
}

/** Writes an entry under a temp name and renames it into place. Throws when the folder is not writable. */
export function writeCacheEntry(file: string, meta: CacheMeta, tar: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const stored: StoredMeta = { ...meta, tarBytes: tar.length, sha256: createHash('sha256').update(tar).digest('hex') };
  const header = Buffer.from(`${MAGIC}\n${JSON.stringify(stored)}\n`, 'utf8');
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, header);
      fs.writeSync(fd, tar);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Marks an entry as just used (pruning keeps the most recently used). */
export function touch(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // a read-only cache still works; it just prunes by build time
  }
}

export function removeEntry(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // another process may hold it (Windows); it is rebuilt over later
  }
}

/**
 * Keeps the `keep` most recently used entries; removes older ones, leftovers of builders that died, and
 * entries of the previous format (`<key>.json` + `<key>.tar.gz`). Best effort.
 */
export function pruneCache(dir: string, keep: number): void {
  try {
    const now = Date.now();
    const entries: { f: string; t: number }[] = [];
    for (const f of fs.readdirSync(dir)) {
      const full = path.join(dir, f);
      if (/^[0-9a-f]{24}\.(json|tar\.gz)$/.test(f) || /\.(tar\.gz|json)\.tmp-/.test(f)) fs.rmSync(full, { force: true });
      else if (/\.tmp-\d+-/.test(f)) {
        if (now - fs.statSync(full).mtimeMs > STALE_TMP_MS) fs.rmSync(full, { force: true });
      } else if (f.endsWith(SUFFIX)) entries.push({ f: full, t: fs.statSync(full).mtimeMs });
    }
    entries.sort((a, b) => b.t - a.t);
    for (const { f } of entries.slice(keep)) fs.rmSync(f, { force: true });
  } catch {
    // pruning is best effort
  }
}
