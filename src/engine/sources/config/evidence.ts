import type { EvidenceKind } from '../../facts/config';

// What counts as evidence of a backup or monitoring practice, one line at a time. Each file first meets one
// cheap regex per kind (PRECHECK); only files that match are split into lines, so a 10,000-file project costs
// a few regex scans per file.

export interface LineMatcher {
  kind: EvidenceKind;
  /** Tested against one line (comments already skipped). Returns the description, or undefined. */
  match(line: string, file: FileContext): string | undefined;
}

export interface FileContext {
  path: string;
  text: string;
}

export const PRECHECK: Record<'backup' | 'monitoring', RegExp> = {
  backup:
    /pg_dump|pg_basebackup|pgbackrest|\bwal[-_]?[ge]\b|\bwalg\b|barman|archive_command|backup_retention|backupretention|backup_window|point_in_time_recovery_enabled|backup_configuration|aws_backup_plan|ScheduledBackup|pg:backups|geo_redundant_backup_enabled/i,
  monitoring:
    /pg_stat_statements|postgres(ql)?[_-]exporter|performance_insights_enabled|query_insights_enabled|pganalyze|auto_explain|pg_stat_monitor|pgwatch|nri-postgresql|enablePodMonitor|datadoghq\.ad\.check_names|pgmonitor/i,
};

/** A numeric setting counts when positive; a variable counts (it is configured, the value lives elsewhere). */
const positive = (v: string | undefined) => v === undefined || !/^\d+$/.test(v) || Number(v) > 0;
const truthy = (v: string | undefined) => !!v && /^(true|yes|on|1|"true")$/i.test(v);

const cronJob = (f: FileContext) => (/^\s*kind:\s*CronJob\b/m.test(f.text) ? ' (Kubernetes CronJob)' : /(^|\/)[^/]*cron[^/]*$/i.test(f.path) ? ' (cron)' : '');

export const BACKUP_MATCHERS: LineMatcher[] = [
  { kind: 'backup', match: (l, f) => (/\bpg_dumpall\b/.test(l) ? `pg_dumpall${cronJob(f)}` : undefined) },
  {
    kind: 'backup',
    // A schema-only dump (Rails structure.sql, `pg_dump -s`) is not a backup of the data.
    match: (l, f) => (/\bpg_dump\b/.test(l) && !/--schema-only|\s-s\b|--section[= ]pre-data/.test(l) ? `pg_dump${cronJob(f)}` : undefined),
  },
  { kind: 'backup', match: (l) => (/\bpg_basebackup\b/.test(l) ? 'pg_basebackup' : undefined) },
  { kind: 'backup', match: (l) => (/pgbackrest/i.test(l) ? 'pgBackRest' : undefined) },
  { kind: 'backup', match: (l) => (/\bwal[-_]g\b|\bwalg\b/i.test(l) ? 'WAL-G' : undefined) },
  { kind: 'backup', match: (l) => (/\bwal[-_]e\b/i.test(l) ? 'WAL-E' : undefined) },
  { kind: 'backup', match: (l) => (/barmanObjectStore/.test(l) ? 'CloudNativePG barmanObjectStore' : /\bbarman\b/i.test(l) ? 'barman' : undefined) },
  {
    kind: 'backup',
    match: (l) => {
      const m = /archive_command\s*[=:]\s*['"]?([^'"\s]*)/.exec(l);
      if (!m) return undefined;
      return m[1] && !/^(\/bin\/true|true|:|\(disabled\))$/.test(m[1]) ? 'archive_command (WAL archiving)' : undefined;
    },
  },
  {
    kind: 'backup',
    match: (l) => {
      const m = /\b(backup_retention_period|backup_retention_days|backupRetentionPeriod|BackupRetentionPeriod|backup_retention)\b["']?\s*[=:]\s*["']?([\w.]+)/.exec(l);
      return m && positive(m[2]) ? `${m[1]} = ${m[2]}` : undefined;
    },
  },
  { kind: 'backup', match: (l) => (/\b(preferred_backup_window|backup_window)\b\s*[=:]/.test(l) ? 'managed backup window' : undefined) },
  {
    kind: 'backup',
    match: (l) => {
      const m = /\b(point_in_time_recovery_enabled|geo_redundant_backup_enabled)\s*[=:]\s*(\S+)/.exec(l);
      return m && truthy(m[2]) ? `${m[1]} = true` : undefined;
    },
  },
  { kind: 'backup', match: (l) => (/\baws_backup_plan\b/.test(l) ? 'AWS Backup plan' : undefined) },
  { kind: 'backup', match: (l) => (/^\s*kind:\s*ScheduledBackup\b/.test(l) ? 'CloudNativePG ScheduledBackup' : undefined) },
  { kind: 'backup', match: (l, f) => (/^\s*backup:\s*$/.test(l) && /postgresql\.cnpg\.io/.test(f.text) ? 'CloudNativePG backup' : undefined) },
  { kind: 'backup', match: (l) => (/pg:backups:schedule/.test(l) ? 'Heroku PG Backups schedule' : undefined) },
];

export const MONITORING_MATCHERS: LineMatcher[] = [
  { kind: 'monitoring', match: (l) => (/shared_preload_libraries.*pg_stat_statements/.test(l) ? 'pg_stat_statements in shared_preload_libraries' : undefined) },
  { kind: 'monitoring', match: (l) => (/create\s+extension\s+(if\s+not\s+exists\s+)?"?pg_stat_statements/i.test(l) ? 'CREATE EXTENSION pg_stat_statements' : undefined) },
  { kind: 'monitoring', match: (l) => (/\bpg_stat_statements\b/.test(l) ? 'pg_stat_statements' : undefined) },
  { kind: 'monitoring', match: (l) => (/postgres(ql)?[_-]exporter/i.test(l) ? 'postgres_exporter' : undefined) },
  { kind: 'monitoring', match: (l) => (/performance_insights_enabled\s*[=:]\s*true/.test(l) ? 'RDS Performance Insights' : undefined) },
  { kind: 'monitoring', match: (l) => (/query_insights_enabled\s*[=:]\s*true/.test(l) ? 'Cloud SQL Query Insights' : undefined) },
  { kind: 'monitoring', match: (l) => (/pganalyze/i.test(l) ? 'pganalyze' : undefined) },
  { kind: 'monitoring', match: (l) => (/\bauto_explain\b/.test(l) ? 'auto_explain' : undefined) },
  { kind: 'monitoring', match: (l) => (/\bpg_stat_monitor\b/.test(l) ? 'pg_stat_monitor' : undefined) },
  { kind: 'monitoring', match: (l) => (/pgwatch/i.test(l) ? 'pgwatch' : undefined) },
  { kind: 'monitoring', match: (l) => (/\bpgmonitor\b/i.test(l) ? 'Crunchy pgMonitor' : undefined) },
  { kind: 'monitoring', match: (l) => (/nri-postgresql/.test(l) ? 'New Relic PostgreSQL integration' : undefined) },
  { kind: 'monitoring', match: (l) => (/enablePodMonitor:\s*true/.test(l) ? 'CloudNativePG PodMonitor' : undefined) },
  { kind: 'monitoring', match: (l) => (/datadoghq\.ad\.check_names.*postgres/.test(l) ? 'Datadog postgres check' : undefined) },
];

/** Datadog's agent reads its PostgreSQL integration from conf.d/postgres.d/conf.yaml: the file itself is the evidence. */
export function isDatadogPostgresConfig(path: string): boolean {
  return /(^|\/)postgres\.d\/conf\.ya?ml(\.example)?$/.test(path) && !path.endsWith('.example');
}

/** Comment lines in the languages scanned (#, //, --, ;, block-comment bodies). */
export function isComment(line: string): boolean {
  return /^\s*(#|\/\/|--|;|\/\*|\*)/.test(line) && !/^\s*#!/.test(line);
}

/**
 * The body of a Terraform block that starts on line `i` (`backup_configuration {`), up to its closing brace,
 * so `enabled = true` inside it can be checked.
 */
export function blockBody(lines: string[], i: number): string {
  let depth = 0;
  let opened = false;
  const out: string[] = [];
  for (let j = i; j < lines.length && j < i + 200; j++) {
    out.push(lines[j]);
    for (const ch of lines[j]) {
      if (ch === '{') {
        depth++;
        opened = true;
      } else if (ch === '}') depth--;
    }
    if (opened && depth <= 0) break;
  }
  return out.join('\n');
}
