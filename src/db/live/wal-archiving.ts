import type { LiveFinding, LiveVerdict } from '../../engine/live';
import { outcome, staticFindings, type LiveCheck } from './context';

// Backup readiness as the server shows it: WAL archiving (archive_mode + archive_command/archive_library),
// which point-in-time recovery needs, and whether archiving is failing (pg_stat_archiver). A managed service
// (RDS, Cloud SQL, Azure, …) backs up by snapshots and its own WAL shipping that the database may not show,
// so there the check says it cannot tell.

const MANAGED = /^(rds|aurora|cloudsql|alloydb|azure|neon|supabase|timescaledb_cloud|crunchy)\./;

const check: LiveCheck = {
  id: 'wal-archiving',
  title: 'WAL archiving (backups)',
  category: 'backup',
  async run(ctx) {
    const get = (n: string) => ctx.settings.get(n)?.setting ?? '';
    const mode = get('archive_mode') || 'off';
    const command = get('archive_command');
    const library = get('archive_library');
    const managed = [...ctx.settings.keys()].find((k) => MANAGED.test(k));
    const archiving = mode !== 'off' && ((command !== '' && command !== '(disabled)') || library !== '');
    const statics = staticFindings(ctx, 'missing-backup-strategy');
    const findings: LiveFinding[] = [];
    const verdicts: LiveVerdict[] = [];
    if (archiving) {
      const [arch] = await ctx.db.query<{ archived: string; failed: string; last_failed: Date | null; last_archived: Date | null }>(
        `SELECT archived_count::text AS archived, failed_count::text AS failed, last_failed_time AS last_failed, last_archived_time AS last_archived FROM pg_stat_archiver`,
      );
      const failing = arch && arch.last_failed && (!arch.last_archived || arch.last_failed > arch.last_archived);
      if (statics.length) verdicts.push({ rule: 'missing-backup-strategy', verdict: 'cleared', note: `the server archives WAL (archive_mode = ${mode}, ${library ? `archive_library = ${library}` : `archive_command = ${command}`}), so backups exist even though the repository does not show them.` });
      if (failing)
        findings.push({
          rule: 'live-wal-archiving-failing',
          severity: 'error',
          category: 'backup',
          message: `WAL archiving is failing: the last attempt failed at ${arch.last_failed!.toISOString()} (${arch.failed} failures, last success ${arch.last_archived?.toISOString() ?? 'never'}). WAL piles up on the server's disk and point-in-time recovery has a gap.`,
          help: 'Read the server log for the archive_command error and fix it (credentials, bucket, disk); check pg_stat_archiver until last_archived_time moves again.',
          key: 'wal-archiving-failing',
          data: { failed: Number(arch.failed) },
        });
      return outcome(failing ? 'problem' : 'ok', `archive_mode = ${mode}, ${library ? `archive_library ${library}` : 'archive_command set'}${arch ? `; ${arch.archived} WAL files archived, ${arch.failed} failures` : ''}`, findings, verdicts);
    }
    if (managed) return outcome('unknown', `archive_mode = ${mode}, but this looks like a managed service (${managed.split('.')[0]} settings): its backups are snapshots the database does not show; check the provider's backup retention and point-in-time recovery`);
    const state = mode === 'off' ? 'WAL archiving is off on this server (archive_mode = off)' : `archive_mode = ${mode} but no archive_command or archive_library is set`;
    const hidden = ' A managed service may back up by snapshots the database does not show; check the provider if this is one.';
    if (statics.length) verdicts.push({ rule: 'missing-backup-strategy', verdict: 'confirmed', note: `${state}: no point-in-time recovery.${hidden}` });
    else
      findings.push({
        rule: 'live-wal-archiving-off',
        severity: 'info',
        category: 'backup',
        message: `${state}: the repository's backups restore to the moment of the last dump, not to a point in time, so everything written since is lost.${hidden}`,
        help: 'For point-in-time recovery, run pgBackRest or WAL-G with archive_mode = on and archive_command pointing at it (a restart), or use the provider\'s PITR.',
        key: 'wal-archiving-off',
      });
    return outcome('problem', state, findings, verdicts);
  },
};
export default check;
