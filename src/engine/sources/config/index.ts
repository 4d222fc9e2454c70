import type { Evidence, FileFacts, HardcodedCredential } from '../../facts';
import type { LineIndex } from '../../text';
import type { Frontend } from '../frontend';
import { BACKUP_MATCHERS, blockBody, isComment, isDatadogPostgresConfig, MONITORING_MATCHERS, PRECHECK, type FileContext, type LineMatcher } from './evidence';

// Operational evidence: files that show backups are taken (pg_dump in cron, pgBackRest, managed-database
// retention settings) or the database is monitored (pg_stat_statements, postgres_exporter), and passwords
// written literally in .env / compose files. This front end runs alongside the language front ends (a Python
// script calling pg_dump is evidence too), so it must stay cheap: a path test, then one regex per kind.

const TEXT_EXTENSIONS = /\.(sh|bash|zsh|ya?ml|tf|tfvars|hcl|conf|ini|toml|json|cfg|properties|py|ts|js|mjs|cjs|rb|go|sql|service|timer|cron|env|jsonnet|nix|ps1)$/i;
const TEXT_NAMES = /^(Dockerfile.*|Containerfile|Procfile|crontab|Makefile|Justfile|Taskfile|\.env(\..+)?|postgresql\.conf.*|.*\.Dockerfile)$/;
const SKIP = /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|composer\.lock|Cargo\.lock|poetry\.lock)$|\.min\.js$|\.map$|\.d\.ts$/;

/** .env files that hold real values (not the checked-in examples people copy). */
export function isEnvFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^\.env(\..+)?$|\.env$/.test(base) && !/(example|sample|template|dist|defaults?|tmpl|schema)/i.test(base);
}

export function isComposeFile(path: string): boolean {
  return /(^|\/)(docker-)?compose[^/]*\.ya?ml$/.test(path);
}

export function acceptsConfig(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (SKIP.test(path)) return false;
  return TEXT_EXTENSIONS.test(base) || TEXT_NAMES.test(base) || /(^|\/)(cron\.d|crontabs?)\//.test(path);
}

const CREDENTIAL_PRECHECK = /DATABASE_URL|DB_URL|POSTGRES(QL)?_(PASSWORD|URL)|PGPASSWORD|DB_PASSWORD|DATABASE_PASSWORD/;
const MAX_PER_KIND = 5;

export const configFrontend: Frontend = {
  language: 'config',
  accepts: acceptsConfig,
  extract({ path, text, lines }, facts) {
    const wantBackup = PRECHECK.backup.test(text);
    const wantMonitoring = PRECHECK.monitoring.test(text);
    const wantCredentials = (isEnvFile(path) || isComposeFile(path)) && CREDENTIAL_PRECHECK.test(text);
    const file: FileContext = { path, text };
    if (isDatadogPostgresConfig(path)) {
      const end = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n');
      facts.evidence.push({ kind: 'monitoring', what: `Datadog postgres integration in ${path}`, span: lines.span(path, 0, end) });
    }
    if (!wantBackup && !wantMonitoring && !wantCredentials) return;

    const matchers: LineMatcher[] = [...(wantBackup ? BACKUP_MATCHERS : []), ...(wantMonitoring ? MONITORING_MATCHERS : [])];
    const rows = text.split('\n');
    const counts = { backup: 0, monitoring: 0 } as Record<string, number>;
    let offset = 0;
    for (let i = 0; i < rows.length; i++) {
      const line = rows[i];
      const start = offset;
      offset += line.length + 1;
      if (!line.trim() || isComment(line)) continue;
      const seen = new Set<string>();
      for (const m of matchers) {
        if (seen.has(m.kind) || counts[m.kind] >= MAX_PER_KIND) continue;
        const what = m.match(line, file);
        if (what) {
          seen.add(m.kind);
          counts[m.kind]++;
          facts.evidence.push(evidence(m.kind, `${what} in ${path}`, path, lines, start, line));
        }
      }
      // GCP Cloud SQL: backup_configuration { enabled = true … } spans several lines.
      if (wantBackup && !seen.has('backup') && counts.backup < MAX_PER_KIND && /\bbackup_configuration\s*\{/.test(line)) {
        const body = blockBody(rows, i);
        if (/\benabled\s*=\s*true\b/.test(body)) {
          counts.backup++;
          facts.evidence.push(evidence('backup', `Cloud SQL backup_configuration in ${path}`, path, lines, start, line));
        }
      }
      if (wantCredentials) credential(path, line, start, lines, facts);
    }
  },
};

function evidence(kind: Evidence['kind'], what: string, path: string, lines: LineIndex, start: number, line: string): Evidence {
  const lead = line.length - line.trimStart().length;
  return { kind, what, span: lines.span(path, start + lead, start + line.replace(/\s+$/, '').length) };
}

const URL_RE = /^\s*(?:-\s*)?(?:export\s+)?["']?([A-Z0-9_]*(?:DATABASE_URL|DB_URL|POSTGRES(?:QL)?_URL|PG_URL))["']?\s*[=:]\s*["']?postgres(?:ql)?(?:\+\w+)?:\/\/[^:/@\s'"]+:([^@\s'"]+)@/;
const PASSWORD_RE = /^\s*(?:-\s*)?(?:export\s+)?["']?(POSTGRES_PASSWORD|POSTGRESQL_PASSWORD|PGPASSWORD|DB_PASSWORD|DATABASE_PASSWORD)["']?\s*[=:]\s*(["']?)([^"'\s#]+)\2/;

/** A literal value, not a reference to the environment or a template slot. */
const literal = (v: string) => !!v && !/^\$|^<.*>$|^\{\{|^%\(/.test(v) && !/\$\{/.test(v);

function credential(path: string, line: string, start: number, lines: LineIndex, facts: FileFacts): void {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const hit = (name: string, value: string) => {
    const at = start + line.indexOf(value, line.indexOf(name) + name.length);
    const c: HardcodedCredential = { span: lines.span(path, at, at + value.length), where: `${name} in ${base}` };
    facts.credentials.push(c);
  };
  const url = URL_RE.exec(line);
  if (url && literal(url[2])) return hit(url[1], url[2]);
  const pw = PASSWORD_RE.exec(line);
  if (pw && literal(pw[3])) hit(pw[1], pw[3]);
}
