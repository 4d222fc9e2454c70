import type { Evidence, ProjectFacts } from '../facts';
import { defineRule } from '../rule';

/** True when the project has anything that talks to or defines a PostgreSQL database. */
export function hasDatabaseCode(facts: ProjectFacts): boolean {
  return facts.schema.tables.size > 0 || facts.migrations.length > 0 || facts.queries.length > 0 || facts.clients.length > 0;
}

/** "pg_dump in scripts/backup.sh, WAL-G in … and 2 more" */
export function listEvidence(items: Evidence[]): string {
  const whats = [...new Set(items.map((e) => e.what))];
  return whats.slice(0, 3).join('; ') + (whats.length > 3 ? `; and ${whats.length - 3} more` : '');
}

export default defineRule({
  id: 'missing-backup-strategy',
  category: 'backup',
  severity: 'warning',
  practice: true,
  summary: 'The repository has a database but nothing shows that it is backed up.',
  docs: {
    what:
      'Looks through scripts, crontabs, Dockerfiles, compose files, Kubernetes manifests, Terraform and config files for any sign of a PostgreSQL backup: pg_dump/pg_dumpall/pg_basebackup, pgBackRest, WAL-G/WAL-E, barman, archive_command, CloudNativePG backups, or managed-database settings (RDS backup_retention_period, Cloud SQL backup_configuration, Azure backup_retention_days). Reports once per repository when there is none.',
    why:
      'Without a tested backup, a bad migration, a mistaken DELETE, a dropped volume or a compromised host loses the data for good. Backups configured only by hand on a server are invisible to reviewers and are the first thing lost when the infrastructure is rebuilt.',
    instead:
      'Keep the backup setup in the repository: managed databases with backup retention (and point-in-time recovery) in Terraform, or pgBackRest/WAL-G with WAL archiving for self-hosted servers, plus a scheduled restore test. A nightly pg_dump from cron or a Kubernetes CronJob is the minimum.',
  },
  examples: {
    bad: { 'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n' },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'ops/backup.cron': '0 3 * * * pg_dump --format=custom "$DATABASE_URL" > /backups/app-$(date +\\%F).dump\n',
    },
  },
  check(ctx) {
    const facts = ctx.facts;
    if (!hasDatabaseCode(facts)) return;
    const found = facts.evidence.filter((e) => e.kind === 'backup');
    if (found.length) {
      ctx.report({
        strength: true,
        message: `Backups are configured in the repository: ${listEvidence(found)}.`,
        help: 'Make sure restores are tested on a schedule; a backup that was never restored is a hope, not a plan.',
        span: found[0].span,
        key: 'backup-evidence',
        data: { evidence: found.map((e) => e.what) },
      });
      return;
    }
    ctx.report({
      message: 'No backup evidence in the repository: no pg_dump/pg_basebackup schedule, pgBackRest/WAL-G/barman configuration, or managed-database backup settings.',
      help:
        'Add one and keep it in the repository: RDS `backup_retention_period = 7` (Cloud SQL `backup_configuration { enabled = true, point_in_time_recovery_enabled = true }`), pgBackRest or WAL-G with `archive_command` for self-hosted PostgreSQL, or at least a scheduled `pg_dump --format=custom` (cron / Kubernetes CronJob).',
      key: 'no-backup-evidence',
    });
  },
});
