// Telling real secrets from placeholders, shared by the credential and secret-column extractors.

const PLACEHOLDER = /^(|change[_-]?me|changeme|change[_-]?this|password|passwd|pass|pwd|xxx+|\*+|<[^>]*>|\$\{[^}]*\}|\$\w+|%\([^)]*\)s|\{[^}]*\}|your[_-]?\w*|example|dummy|placeholder|redacted|replace[_-]?me|todo|fixme|\.\.\.)$/i;

/** True when a connection URL carries a literal password that is not a placeholder. */
export function literalCredential(url: string): boolean {
  const m = url.match(/^[a-z][\w+.-]*:\/\/([^:/@?#]*):([^@/?#]*)@([^:/?#]*)/i);
  if (!m) return false;
  // A local development database is not a production credential.
  if (/^(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)$/i.test(m[3])) return false;
  const password = decodeSafe(m[2]);
  return !PLACEHOLDER.test(password) && !PLACEHOLDER.test(password.replace(/^\W+|\W+$/g, ''));
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
