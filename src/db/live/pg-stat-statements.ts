import type { LiveFinding, LiveVerdict } from '../../engine/live';
import { outcome, staticFindings, type LiveCheck } from './context';

// pg_stat_statements needs two things: the library preloaded (shared_preload_libraries, a restart) and the
// extension created in the database. Either missing means no per-statement statistics.

const check: LiveCheck = {
  id: 'pg-stat-statements',
  title: 'pg_stat_statements',
  category: 'monitoring',
  async run(ctx) {
    const [row] = await ctx.db.query<{ installed: string | null; available: boolean }>(
      `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed,
              EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS available`,
    );
    const preload = ctx.settings.get('shared_preload_libraries')?.setting ?? '';
    const loaded = preload.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).includes('pg_stat_statements');
    const installed = !!row?.installed;
    const statics = staticFindings(ctx, 'missing-query-monitoring');
    if (installed && loaded) {
      const verdicts: LiveVerdict[] = statics.length
        ? [{ rule: 'missing-query-monitoring', verdict: 'cleared', note: `pg_stat_statements ${row!.installed} is installed in the database and preloaded, so per-statement statistics are collected (the setup just is not in the repository).` }]
        : [];
      return outcome('ok', `installed (${row!.installed}) and preloaded`, [], verdicts);
    }
    const state = !installed && !loaded
      ? `pg_stat_statements is neither preloaded (shared_preload_libraries = '${preload}') nor installed in this database${row?.available ? '' : ' (the server does not even ship it: install postgresql-contrib)'}`
      : !installed
        ? 'pg_stat_statements is preloaded but CREATE EXTENSION pg_stat_statements was never run in this database'
        : `the pg_stat_statements extension exists but the library is not in shared_preload_libraries ('${preload}'), so it collects nothing`;
    const findings: LiveFinding[] = [];
    const verdicts: LiveVerdict[] = [];
    if (statics.length) verdicts.push({ rule: 'missing-query-monitoring', verdict: 'confirmed', note: `${state}.` });
    else
      findings.push({
        rule: 'live-pg-stat-statements-missing',
        severity: 'warning',
        category: 'monitoring',
        message: `The repository configures query monitoring, but on this database ${state}: there are no per-statement statistics to look at when a query gets slow.`,
        help: !loaded
          ? "Add pg_stat_statements to shared_preload_libraries (restart), then CREATE EXTENSION IF NOT EXISTS pg_stat_statements; (managed services: the parameter group / database flags)."
          : 'Run CREATE EXTENSION IF NOT EXISTS pg_stat_statements; in a migration.',
        key: 'pg-stat-statements',
        data: { installed, preloaded: loaded },
      });
    return outcome('problem', state, findings, verdicts);
  },
};
export default check;
