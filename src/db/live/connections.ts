import type { DbClientConfig } from '../../engine';
import type { LiveFinding } from '../../engine/live';
import { outcome, type LiveCheck } from './context';

// Connections: what the application's pools can open (pool_size + max_overflow per engine, times worker
// processes) against what the server allows (max_connections minus the superuser reserve) and what is in
// use right now by every client.

/** SQLAlchemy's QueuePool defaults: pool_size 5, max_overflow 10. */
const SQLALCHEMY_DEFAULT = { poolSize: 5, maxOverflow: 10 };
const POOLED = new Set(['create_engine', 'create_async_engine', 'flask-sqlalchemy', 'flask-sqlalchemy-config']);

/** The most connections one process of the application can hold through this client, when knowable. */
export function maxConnectionsOf(c: DbClientConfig): number | undefined {
  if (POOLED.has(c.kind)) return (c.poolSize ?? SQLALCHEMY_DEFAULT.poolSize) + Math.max(0, c.maxOverflow ?? SQLALCHEMY_DEFAULT.maxOverflow);
  if (c.poolSize !== undefined) return c.poolSize + Math.max(0, c.maxOverflow ?? 0);
  return undefined;
}

const check: LiveCheck = {
  id: 'connections',
  title: 'Connections',
  category: 'performance',
  async run(ctx) {
    const max = Number(ctx.settings.get('max_connections')?.setting ?? 100);
    const reserved = Number(ctx.settings.get('superuser_reserved_connections')?.setting ?? 3);
    const [row] = await ctx.db.query<{ used: string; mine: string }>(
      `SELECT count(*) FILTER (WHERE backend_type = 'client backend')::text AS used,
              count(*) FILTER (WHERE backend_type = 'client backend' AND datname = current_database())::text AS mine
         FROM pg_stat_activity`,
    );
    const used = Number(row?.used ?? 0);
    const available = max - reserved;
    const workers = ctx.options.workers;
    const pools = ctx.facts.clients.map((c) => ({ c, n: maxConnectionsOf(c) })).filter((p): p is { c: DbClientConfig; n: number } => p.n !== undefined);
    const perProcess = pools.reduce((s, p) => s + p.n, 0);
    const demand = perProcess * workers;
    const findings: LiveFinding[] = [];
    const poolText = pools.map((p) => `${p.c.kind} pool_size ${p.c.poolSize ?? SQLALCHEMY_DEFAULT.poolSize}${POOLED.has(p.c.kind) || p.c.maxOverflow !== undefined ? ` + max_overflow ${p.c.maxOverflow ?? SQLALCHEMY_DEFAULT.maxOverflow}` : ''}`).join(', ');
    if (pools.length && demand > available - (used - 1)) {
      // `used - 1`: pgready's own session goes away when the report is done.
      const others = Math.max(0, used - 1);
      findings.push({
        rule: 'live-connection-capacity',
        severity: demand > available ? 'error' : 'warning',
        category: 'performance',
        message: `The application's pools can open up to ${demand} connections (${poolText} = ${perProcess} per process × ${workers} workers), but the server allows ${available} (max_connections ${max} − ${reserved} reserved)${others ? ` and ${others} are already in use by other clients` : ''}: under load, new connections fail with "too many clients" or wait for the pool timeout.`,
        help: `Lower pool_size/max_overflow so that workers × (pool_size + max_overflow) stays below ${Math.max(1, available - others)}, put PgBouncer in transaction mode in front, or raise max_connections. (--workers N tells pgready how many processes you run; ${workers} assumed.)`,
        anchor: { client: true },
        key: 'connection-capacity',
        data: { demand, perProcess, workers, maxConnections: max, reserved, inUse: used },
      });
    }
    if (used >= 0.8 * available) {
      findings.push({
        rule: 'live-connections-saturated',
        severity: 'warning',
        category: 'performance',
        message: `${used} of ${available} usable connections are in use right now (${Math.round((used / available) * 100)} %): a deploy that starts new workers before the old ones exit, or a traffic spike, runs out of connections.`,
        help: 'Look at pg_stat_activity for idle connections held by pools and idle-in-transaction sessions; use a pooler (PgBouncer) or smaller pools.',
        key: 'connections-saturated',
        data: { inUse: used, maxConnections: max },
      });
    }
    const pool = pools.length ? `; the code's pools need up to ${demand} (${perProcess} per process × ${workers} workers)` : "; the code's pool sizes are unknown";
    return outcome(findings.length ? 'problem' : 'ok', `${used} of ${max} connections in use (${reserved} reserved)${pool}`, findings);
  },
};
export default check;
