import type { LiveFinding, LiveVerdict } from '../../engine/live';
import { outcome, staticFindings, type LiveCheck, type LiveContext } from './context';

// Server-side defaults for statement_timeout and idle_in_transaction_session_timeout: postgresql.conf,
// ALTER DATABASE … SET, ALTER ROLE … SET (pg_db_role_setting). A default for the whole database (or the
// server) reaches every connection, whatever the code does, so it clears `missing-query-timeout`; a
// per-role default only reaches sessions of that role, so it is reported but clears nothing.

const NAMES = ['statement_timeout', 'idle_in_transaction_session_timeout'] as const;
type Name = (typeof NAMES)[number];

interface Level {
  where: string;
  value: string;
  everyone: boolean;
}

function fmt(ms: string): string {
  const n = Number(ms);
  if (!Number.isFinite(n)) return ms;
  return n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`;
}

async function levels(ctx: LiveContext): Promise<Record<Name, Level[]>> {
  const rows = await ctx.db.query<{ role: string | null; db: string | null; config: string[] }>(
    `SELECT r.rolname AS role, d.datname AS db, s.setconfig AS config
       FROM pg_db_role_setting s
       LEFT JOIN pg_roles r ON r.oid = s.setrole
       LEFT JOIN pg_database d ON d.oid = s.setdatabase
      WHERE s.setdatabase = 0 OR d.datname = current_database()`,
  );
  const out: Record<Name, Level[]> = { statement_timeout: [], idle_in_transaction_session_timeout: [] };
  for (const r of rows) {
    for (const item of r.config ?? []) {
      const eq = item.indexOf('=');
      const name = item.slice(0, eq) as Name;
      if (!NAMES.includes(name)) continue;
      const value = item.slice(eq + 1);
      if (/^0+(ms|s|min)?$/.test(value.trim())) continue;
      const where = r.role && r.db ? `role ${r.role} in database ${r.db}` : r.role ? `role ${r.role}` : `database ${r.db}`;
      out[name].push({ where, value, everyone: !r.role });
    }
  }
  // A non-zero default that no database/role setting explains comes from the server configuration.
  for (const name of NAMES) {
    const s = ctx.settings.get(name);
    if (s && s.resetVal !== '0' && !out[name].length) out[name].push({ where: 'server configuration', value: fmt(s.resetVal), everyone: true });
  }
  return out;
}

const check: LiveCheck = {
  id: 'server-timeouts',
  title: 'Server-side timeouts',
  category: 'performance',
  async run(ctx) {
    const lv = await levels(ctx);
    const everyone = (n: Name) => lv[n].find((l) => l.everyone);
    const describe = (n: Name) => (lv[n].length ? lv[n].map((l) => `${l.value} for ${l.where}`).join(', ') : 'unset');
    const summary = `statement_timeout ${describe('statement_timeout')}; idle_in_transaction_session_timeout ${describe('idle_in_transaction_session_timeout')}`;
    const statics = staticFindings(ctx, 'missing-query-timeout');
    const verdicts: LiveVerdict[] = [];
    const findings: LiveFinding[] = [];
    const st = everyone('statement_timeout');
    const idle = everyone('idle_in_transaction_session_timeout');
    const roleOnly = !st && lv.statement_timeout.length ? ` (only ${lv.statement_timeout.map((l) => l.where).join(', ')} has one; connections as other roles get none)` : '';
    if (statics.length) {
      if (st) verdicts.push({ rule: 'missing-query-timeout', verdict: 'cleared', note: `the database sets statement_timeout = ${st.value} for ${st.where}, so every connection gets it even though the engine does not.` });
      else
        verdicts.push({
          rule: 'missing-query-timeout',
          verdict: 'confirmed',
          note: `the server sets no default statement_timeout either (not in postgresql.conf, ALTER DATABASE or ALTER ROLE)${roleOnly}${idle ? '' : ', nor idle_in_transaction_session_timeout'}.`,
        });
    } else if (!st || !idle) {
      const missing = [!st ? 'statement_timeout' : '', !idle ? 'idle_in_transaction_session_timeout' : ''].filter(Boolean);
      findings.push({
        rule: 'live-server-timeouts-unset',
        severity: 'info',
        category: 'performance',
        message: `The database has no default ${missing.join(' or ')}: the application sets its own, but other sessions (psql, migrations, cron jobs, BI tools) can run or sit in an open transaction without limit, holding locks${roleOnly}.`,
        help: `ALTER DATABASE <name> SET ${missing.map((m) => `${m} = '${m === 'statement_timeout' ? '30s' : '60s'}'`).join(', ')}; (per-session SET or SET LOCAL still overrides it for long jobs).`,
        key: 'server-timeouts',
        data: { missing },
      });
    }
    return outcome(st && idle ? 'ok' : 'problem', summary, findings, verdicts);
  },
};
export default check;
