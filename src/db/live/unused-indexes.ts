import type { LiveFinding } from '../../engine/live';
import { prettySize } from '../catalog';
import { outcome, plural, type LiveCheck } from './context';

// Indexes no query has used (pg_stat_user_indexes.idx_scan = 0) since statistics were last reset. Indexes
// that enforce a constraint (primary key, unique, exclusion) are never reported: they work without scans.
// The counters are per server: a replica serving reads, a recent stats reset or a fresh restore of a
// dump all make a used index look unused, so these are notes, not deductions.

const check: LiveCheck = {
  id: 'unused-indexes',
  title: 'Unused indexes',
  category: 'performance',
  async run(ctx) {
    const [stats] = await ctx.db.query<{ reset: Date | null; started: Date }>(
      `SELECT (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) AS reset, pg_postmaster_start_time() AS started`,
    );
    const since = stats?.reset ? `statistics reset on ${stats.reset.toISOString().slice(0, 10)}` : `server start on ${stats?.started?.toISOString().slice(0, 10) ?? '?'}`;
    const unused = ctx.catalog.indexes.filter((ix) => ix.valid && ix.scans === 0 && !ix.unique && !ix.primary && !ix.constraint);
    const findings: LiveFinding[] = unused.map((ix) => ({
      rule: 'live-unused-index',
      severity: 'info',
      category: 'performance',
      message: `Index ${ix.name} on "${ix.table}" (${prettySize(ix.sizeBytes)}) has not been used by any query since ${since}, yet every write to "${ix.table}" maintains it. Statistics can be reset and are per server (a replica may use it).`,
      help: `If it stays unused over a full business cycle and no replica uses it, drop it: DROP INDEX CONCURRENTLY ${ix.name};`,
      anchor: { table: ix.table, index: ix.name },
      key: `unused:${ix.table}:${ix.name}`,
      data: { table: ix.table, index: ix.name, sizeBytes: ix.sizeBytes, since },
    }));
    const total = unused.reduce((s, ix) => s + ix.sizeBytes, 0);
    if (!unused.length) return outcome('ok', `every non-unique index has been used since ${since}`);
    return outcome('problem', `${plural(unused.length, 'index', 'indexes')} never scanned since ${since} (${prettySize(total)}); stats may have been reset`, findings);
  },
};
export default check;
