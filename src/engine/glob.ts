// Minimal glob matching for ignore patterns: `**` (any depth), `*` (within a segment), `?`, and
// directory patterns. Kept in-house because it is twenty lines and the engine must not depend on fs-aware libs.

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re) return re;
  let g = glob.replace(/\\/g, '/').replace(/^\.\//, '');
  if (g.endsWith('/')) g += '**';
  if (!g.includes('/')) g = '**/' + g; // a bare name matches at any depth, as in .gitignore
  let src = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      const slash = g[i + 2] === '/';
      src += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else src += c.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  re = new RegExp(`^${src}(?:/.*)?$`);
  cache.set(glob, re);
  return re;
}

export function matchesAny(path: string, globs: string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}
