import type { Migration } from '../../../engine';
import type { LiveFinding } from '../../../engine/live';
import type { Db } from '../../connection';
import { plural } from '../context';
import { findHistoryTable, unappliedFinding, type ToolOutcome } from './shared';

// Alembic: alembic_version holds the revisions the database was upgraded to (one per head). Everything
// that is an ancestor of a recorded revision is applied; the rest of the repository's revisions are not.
// No alembic_version table means no migration was ever applied.

/** Every revision reachable from `start` through parents, `start` included. */
export function ancestors(byId: Map<string, Migration>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const p of byId.get(id)?.parents ?? []) stack.push(p);
  }
  return seen;
}

export async function compareAlembic(db: Db, alembic: readonly Migration[]): Promise<ToolOutcome> {
  const byId = new Map(alembic.map((m) => [m.id, m]));
  const parentIds = new Set(alembic.flatMap((m) => m.parents));
  const heads = alembic.filter((m) => !parentIds.has(m.id)).map((m) => m.id);
  const table = await findHistoryTable(db, ['alembic_version'], ['version_num']);
  const versions = table ? (await db.query<{ v: string }>(`SELECT version_num::text AS v FROM ${table.sql}`)).map((r) => r.v) : [];
  const findings: LiveFinding[] = [];
  const applied = new Set<string>();
  for (const v of versions) {
    if (byId.has(v)) for (const a of ancestors(byId, v)) applied.add(a);
    else
      findings.push({
        rule: 'live-unknown-migration-revision',
        severity: 'warning',
        category: 'schema',
        message: `The database is at Alembic revision ${v}, which this repository does not have: it was migrated from another branch or a newer version of the code, so its schema may not match these models.`,
        help: 'Check out the code that created the revision (or merge its branch), then run `alembic upgrade head`; `alembic history` shows the repository\'s revisions.',
        key: `unknown:${v}`,
        data: { revision: v },
      });
  }
  const at = versions.length ? `the database is at ${versions.join(', ')}` : table ? 'alembic_version is empty' : 'the database has no alembic_version table (no migration applied)';
  const pending = alembic.filter((m) => !applied.has(m.id));
  const unknownOnly = versions.length > 0 && applied.size === 0;
  if (!unknownOnly) {
    const help = `Apply it before the code that needs it starts: \`alembic upgrade ${heads.length === 1 ? 'head' : 'heads'}\` in the deploy step.`;
    for (const m of pending) findings.push(unappliedFinding(m, m.id, at, help, { databaseRevisions: versions }));
  }
  const head = `repository head ${heads.join(', ')}`;
  const summary = !findings.length
    ? `all ${plural(alembic.length, 'migration')} applied (${at.replace(/^the database is at /, 'at ')}, ${head})`
    : unknownOnly
      ? `${at}, a revision the repository does not have (${head})`
      : `${plural(pending.length, 'migration')} of ${alembic.length} not applied: ${pending.map((m) => m.id).join(', ')} (${at}; ${head})`;
  return { tool: 'Alembic', total: alembic.length, findings, summary };
}
