import type { Migration, MigrationTool } from '../../engine';
import { outcome, type LiveCheck } from './context';
import { compareAlembic } from './migration-tools/alembic';
import { compareDjango } from './migration-tools/django';
import { compareFlyway } from './migration-tools/flyway';
import { comparePrisma } from './migration-tools/prisma';
import type { ToolOutcome } from './migration-tools/shared';

export { ancestors } from './migration-tools/alembic';

// Unapplied migrations: the repository's migrations (ProjectFacts.migrations) against the history table
// each tool keeps in the database: alembic_version, django_migrations, _prisma_migrations,
// flyway_schema_history. One comparison per tool the project uses (see ./migration-tools); a project with
// migrations of other tools only (golang-migrate, plain SQL folders, …) gets "unknown".

const COMPARE: Partial<Record<MigrationTool, (db: Parameters<typeof compareAlembic>[0], ms: readonly Migration[]) => Promise<ToolOutcome>>> = {
  alembic: compareAlembic,
  django: compareDjango,
  prisma: comparePrisma,
  flyway: compareFlyway,
};

const check: LiveCheck = {
  id: 'unapplied-migrations',
  title: 'Unapplied migrations',
  category: 'schema',
  async run(ctx) {
    const byTool = new Map<MigrationTool, Migration[]>();
    for (const m of ctx.facts.migrations) if (COMPARE[m.tool]) byTool.set(m.tool, [...(byTool.get(m.tool) ?? []), m]);
    if (!byTool.size) {
      const others = [...new Set(ctx.facts.migrations.map((m) => m.tool))];
      return outcome('unknown', others.length ? `no migration history to compare for ${others.join(', ')} migrations (Alembic, Django, Prisma and Flyway are compared)` : 'no Alembic, Django, Prisma or Flyway migrations in the project');
    }
    const results: ToolOutcome[] = [];
    for (const [tool, ms] of byTool) results.push(await COMPARE[tool]!(ctx.db, ms));
    const findings = results.flatMap((r) => r.findings);
    const summary = results.length === 1 ? results[0].summary : results.map((r) => `${r.tool}: ${r.summary}`).join('; ');
    return outcome(findings.length ? 'problem' : 'ok', summary, findings);
  },
};
export default check;
