import type { Migration } from '../../../engine';
import type { LiveFinding } from '../../../engine/live';
import type { Db } from '../../connection';
import { plural } from '../context';
import { findHistoryTable, leadingNumber, listSome, unappliedFinding, type ToolOutcome } from './shared';

// Prisma Migrate: _prisma_migrations has a row per attempt to apply `prisma/migrations/<name>/migration.sql`.
// A migration is applied when a row has finished_at set and rolled_back_at empty. A row with neither is a
// migration that started and never finished (it failed part-way, or is running now): `prisma migrate
// deploy` refuses to do anything until it is resolved, so it is its own finding. A row marked rolled back
// (`prisma migrate resolve --rolled-back`) means not applied. Rows of migrations the repository does not
// have are reported only when newer than every migration in it (older ones are left by squashing).

interface Row {
  name: string;
  started: string | null;
  finished: boolean;
  rolledBack: boolean;
  logs: string | null;
}

const firstLine = (s: string | null) => {
  const line = (s ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
};

export async function comparePrisma(db: Db, prisma: readonly Migration[]): Promise<ToolOutcome> {
  const table = await findHistoryTable(db, ['_prisma_migrations'], ['migration_name', 'finished_at', 'rolled_back_at', 'started_at']);
  const rows = table
    ? await db.query<Row>(
        `SELECT migration_name AS name, started_at::text AS started, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack", logs
           FROM ${table.sql} ORDER BY started_at, migration_name`,
      )
    : [];
  const byName = new Map<string, Row[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const applied = (name: string) => (byName.get(name) ?? []).some((r) => r.finished && !r.rolledBack);
  const unfinished = rows.filter((r) => !r.finished && !r.rolledBack && !applied(r.name));
  const local = new Map(prisma.map((m) => [m.id, m]));

  const findings: LiveFinding[] = [];
  for (const r of unfinished) {
    const m = local.get(r.name);
    const log = firstLine(r.logs);
    findings.push({
      rule: 'live-failed-migration',
      severity: 'error',
      category: 'schema',
      message: `Migration ${r.name} started${r.started ? ` at ${r.started}` : ''} and never finished (_prisma_migrations has no finished_at): it failed part-way or is running now, and \`prisma migrate deploy\` applies nothing until it is resolved (P3009).${log ? ` Its log: ${log}` : ''}`,
      help: `Check what it changed (the logs column of _prisma_migrations), repair the database by hand, then mark it: \`prisma migrate resolve --rolled-back ${r.name}\` to run it again, or \`--applied ${r.name}\` if it completed.`,
      ...(m ? { anchor: { migration: m.id } } : {}),
      key: `failed:${r.name}`,
      data: { revision: r.name, startedAt: r.started, file: m?.file },
    });
  }
  const failedNames = new Set(unfinished.map((r) => r.name));
  const pending = prisma.filter((m) => !applied(m.id) && !failedNames.has(m.id));
  const newestLocal = prisma.map((m) => leadingNumber(m.id)).reduce<bigint | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
  const newerUnknown = [...byName.keys()].filter((n) => !local.has(n) && applied(n) && (leadingNumber(n) ?? -1n) > (newestLocal ?? -1n));
  for (const n of newerUnknown) {
    findings.push({
      rule: 'live-unknown-migration-revision',
      severity: 'warning',
      category: 'schema',
      message: `The database has Prisma migration ${n} applied, which is newer than every migration in this repository: it was migrated by another branch or a newer version of the code, so its schema may not match this Prisma schema.`,
      help: 'Deploy the code that has the migration (or merge its branch); `prisma migrate status` compares the two.',
      key: `unknown:${n}`,
      data: { revision: n },
    });
  }
  const done = prisma.filter((m) => applied(m.id)).map((m) => m.id);
  const at = !table ? 'the database has no _prisma_migrations table (no migration applied)' : done.length ? `_prisma_migrations has up to ${done[done.length - 1]}` : 'no migration is recorded as finished in _prisma_migrations';
  for (const m of pending) findings.push(unappliedFinding(m, m.id, at, 'Apply it before the code that needs it starts: `prisma migrate deploy` in the deploy step.'));

  const parts: string[] = [];
  if (pending.length) parts.push(`${plural(pending.length, 'Prisma migration')} of ${prisma.length} not applied: ${listSome(pending.map((m) => m.id))}`);
  if (unfinished.length) parts.push(`${plural(unfinished.length, 'migration')} started and never finished: ${listSome(unfinished.map((r) => r.name))}`);
  if (newerUnknown.length) parts.push(`the database has newer migrations than the repository: ${listSome(newerUnknown)}`);
  const summary = parts.length ? parts.join('; ') : `all ${plural(prisma.length, 'Prisma migration')} applied (${at.replace(/^_prisma_migrations has /, '')})`;
  return { tool: 'Prisma', total: prisma.length, findings, summary };
}
