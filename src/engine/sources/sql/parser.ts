import { loadModule, parseSync, scanSync } from 'libpg-query';

// libpg-query is PostgreSQL's own parser compiled to WASM: it accepts exactly what the server accepts
// (NOT VALID, ALTER TYPE … ADD VALUE, INCLUDE, partitions…), which migration rules depend on.

let loaded = false;

export async function initSql(): Promise<void> {
  if (loaded) return;
  await loadModule();
  loaded = true;
}

export function sqlReady(): boolean {
  return loaded;
}

export { parseSync, scanSync };
