import * as path from 'path';
import type { Migration } from '../../engine';
import type { LiveFinding } from '../../engine/live';
import { quoteIdent } from '../catalog';
import { outcome, plural, type LiveCheck } from './context';

// Unapplied migrations: alembic_version (the revisions the database was upgraded to) against the
// repository's Alembic graph. Everything that is an ancestor of a recorded revision is applied; the rest of
// the repository's revisions are not. No alembic_version table means no migration was ever applied.

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

function whatItDoes(m: Migration): string {
  const parts = m.upgrade.map((s) => s.sql.replace(/\s+/g, ' ').trim()).filter(Boolean).map((s) => (s.length > 60 ? `${s.slice(0, 57)}…` : s));
  if (!parts.length) return '';
  return ` It would run: ${parts.slice(0, 3).join('; ')}${parts.length > 3 ? `; and ${parts.length - 3} more` : ''}.`;
}

const check: LiveCheck = {
  id: 'unapplied-migrations',
  title: 'Unapplied migrations',
  category: 'schema',
  async run(ctx) {
    const alembic = ctx.facts.migrations.filter((m) => m.tool === 'alembic');
    if (!alembic.length) return outcome('unknown', 'no Alembic migrations in the project');
    const byId = new Map(alembic.map((m) => [m.id, m]));
    const parentIds = new Set(alembic.flatMap((m) => m.parents));
    const heads = alembic.filter((m) => !parentIds.has(m.id)).map((m) => m.id);
    const where = await ctx.db.query<{ schema: string }>(
      `SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = 'alembic_version' AND c.relkind IN ('r', 'p') ORDER BY pg_table_is_visible(c.oid) DESC, n.nspname LIMIT 1`,
    );
    let versions: string[] = [];
    if (where.length) {
      const rows = await ctx.db.query<{ v: string }>(`SELECT version_num::text AS v FROM ${quoteIdent(where[0].schema)}.alembic_version`);
      versions = rows.map((r) => r.v);
    }
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
    const at = versions.length ? `the database is at ${versions.join(', ')}` : where.length ? 'alembic_version is empty' : 'the database has no alembic_version table (no migration applied)';
    const pending = alembic.filter((m) => !applied.has(m.id));
    const unknownOnly = versions.length > 0 && applied.size === 0;
    if (!unknownOnly) {
      for (const m of pending) {
        findings.push({
          rule: 'live-unapplied-migration',
          severity: 'error',
          category: 'schema',
          message: `Migration ${m.id} (${path.posix.basename(m.file)}) is not applied: ${at}, and the code expects the schema it creates.${whatItDoes(m)}`,
          help: `Apply it before the code that needs it starts: \`alembic upgrade ${heads.length === 1 ? 'head' : 'heads'}\` in the deploy step.`,
          anchor: { migration: m.id },
          key: `unapplied:${m.id}`,
          data: { revision: m.id, file: m.file, databaseRevisions: versions },
        });
      }
    }
    const head = `repository head ${heads.join(', ')}`;
    if (!findings.length) return outcome('ok', `all ${plural(alembic.length, 'migration')} applied (${at.replace(/^the database is at /, 'at ')}, ${head})`);
    const summary = unknownOnly
      ? `${at}, a revision the repository does not have (${head})`
      : `${plural(pending.length, 'migration')} of ${alembic.length} not applied: ${pending.map((m) => m.id).join(', ')} (${at}; ${head})`;
    return outcome('problem', summary, findings);
  },
};
export default check;
