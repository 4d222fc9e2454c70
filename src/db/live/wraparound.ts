import type { LiveFinding } from '../../engine/live';
import { outcome, type LiveCheck } from './context';

// Transaction-ID wraparound: age(datfrozenxid) counts transactions since the oldest unfrozen row. At about
// 2.1 billion PostgreSQL stops accepting writes to protect the data; autovacuum normally freezes rows long
// before (autovacuum_freeze_max_age, 200 million by default), so a high age means vacuum is not keeping up
// (long transactions, abandoned replication slots, prepared transactions, autovacuum off).

const LIMIT = 2_147_483_647;

const check: LiveCheck = {
  id: 'xid-wraparound',
  title: 'Transaction-ID wraparound',
  category: 'integrity',
  async run(ctx) {
    const [row] = await ctx.db.query<{ age: number; mxid: number; db: string }>(
      `SELECT age(datfrozenxid)::float8 AS age, mxid_age(datminmxid)::float8 AS mxid, datname AS db FROM pg_database WHERE datname = current_database()`,
    );
    const age = Number(row?.age ?? 0);
    const mxid = Number(row?.mxid ?? 0);
    const worst = Math.max(age, mxid);
    const pct = ((worst / LIMIT) * 100).toFixed(1);
    const summary = `age(datfrozenxid) ${age.toLocaleString('en')}, multixact age ${mxid.toLocaleString('en')} (${pct} % of the limit)`;
    if (worst < ctx.options.xidAgeWarn) return outcome('ok', summary);
    const findings: LiveFinding[] = [
      {
        rule: 'live-xid-wraparound',
        severity: worst >= 1.5e9 ? 'error' : 'warning',
        category: 'integrity',
        message: `Database "${row.db}" is ${worst.toLocaleString('en')} transactions from its oldest unfrozen row (${pct} % of the ~2.1 billion limit): at the limit PostgreSQL refuses all writes until a manual VACUUM finishes.`,
        help: 'Find what blocks freezing (long-running or prepared transactions, stale replication slots: pg_stat_activity, pg_prepared_xacts, pg_replication_slots), then VACUUM (FREEZE) the oldest tables (ORDER BY age(relfrozenxid) DESC).',
        key: 'xid-wraparound',
        data: { age, multixactAge: mxid },
      },
    ];
    return outcome('problem', summary, findings);
  },
};
export default check;
