import type { LiveFinding } from '../../engine/live';
import { outcome, type LiveCheck } from './context';

// Buffer cache hit ratio of this database since its statistics were reset. Judged only once the database
// has done enough reads for the ratio to mean something (a fresh database reads everything from disk once).

const check: LiveCheck = {
  id: 'cache-hit-ratio',
  title: 'Cache hit ratio',
  category: 'performance',
  async run(ctx) {
    const [row] = await ctx.db.query<{ hit: string; read: string }>(`SELECT blks_hit::text AS hit, blks_read::text AS read FROM pg_stat_database WHERE datname = current_database()`);
    const hit = Number(row?.hit ?? 0);
    const read = Number(row?.read ?? 0);
    const total = hit + read;
    const ratio = total ? hit / total : 1;
    const pct = `${(ratio * 100).toFixed(2)} %`;
    if (total < ctx.options.cacheMinReads) return outcome('unknown', `too few block reads to judge (${total.toLocaleString('en')} since the statistics were reset; ratio ${pct})`);
    if (ratio >= ctx.options.cacheHitRatio) return outcome('ok', `${pct} of ${total.toLocaleString('en')} block reads served from shared_buffers`);
    const sb = ctx.settings.get('shared_buffers');
    const findings: LiveFinding[] = [
      {
        rule: 'live-low-cache-hit-ratio',
        severity: 'warning',
        category: 'performance',
        message: `Only ${pct} of block reads are served from memory (target ≥ ${(ctx.options.cacheHitRatio * 100).toFixed(0)} %): queries wait on disk. The working set does not fit in shared_buffers (${sb ? `${sb.setting}${sb.unit ? ` × ${sb.unit}` : ''}` : 'unknown'}) and the OS cache, or queries scan far more than they return.`,
        help: 'Find the statements with the most shared_blks_read in pg_stat_statements and index them; then consider more memory (shared_buffers ≈ 25 % of RAM).',
        key: 'cache-hit-ratio',
        data: { ratio, blocksHit: hit, blocksRead: read },
      },
    ];
    return outcome('problem', `${pct} of ${total.toLocaleString('en')} block reads from memory (below ${(ctx.options.cacheHitRatio * 100).toFixed(0)} %)`, findings);
  },
};
export default check;
