import type { Migration } from '../facts/migrations';
import { djangoHelp } from '../facts/dialect-help';
import { defineRule, type RuleContext } from '../rule';

/**
 * Alembic environments in the project: revisions linked by parent edges or sharing a versions folder.
 * Two independent environments in one repository (two services) must not be counted as two heads of one.
 */
function environments(migrations: Migration[]): Migration[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  const key = (m: Migration) => `rev:${m.id}`;
  const dir = (m: Migration) => `dir:${m.file.slice(0, m.file.lastIndexOf('/') + 1)}`;
  for (const m of migrations) {
    for (const k of [key(m), dir(m), ...m.parents.map((p) => `rev:${p}`)]) if (!parent.has(k)) parent.set(k, k);
  }
  for (const m of migrations) {
    union(key(m), dir(m));
    for (const p of m.parents) union(key(m), `rev:${p}`);
  }
  const groups = new Map<string, Migration[]>();
  for (const m of migrations) {
    const g = find(key(m));
    const group = groups.get(g);
    if (group) group.push(m);
    else groups.set(g, [m]);
  }
  return [...groups.values()];
}

export default defineRule({
  id: 'multiple-migration-heads',
  category: 'schema',
  severity: 'error',
  summary: 'The Alembic revision graph (or a Django app\'s migration graph) has more than one head, or a migration depends on one that does not exist, so `alembic upgrade head` / `manage.py migrate` fails.',
  docs: {
    what: 'Builds the Alembic revision graph from `revision` / `down_revision` and reports every head when there is more than one (two branches created from the same parent, usually by two merged pull requests), and revisions whose `down_revision` names a revision that is not in the project. For Django, per app: the app\'s migrations that no other migration of the app depends on are its leaves, and two or more are reported, as is a dependency on a migration of the same app that is not in the project (dependencies on other apps\' migrations outside the project, such as contrib apps, are normal). Squashed migrations (`replaces`) are not modelled.',
    why: '`alembic upgrade head` refuses to run with "Multiple head revisions are present", and a missing parent makes Alembic fail to build the graph at all: the deploy stops at the migration step, often in production only, after the code is already merged. Django likewise stops with "Conflicting migrations detected" (or NodeNotFoundError for a missing dependency).',
    instead: 'Join the branches with `alembic merge heads -m "merge"` (a revision whose down_revision lists both heads) and commit it; fix a dangling down_revision to point at an existing revision. In Django, run `python manage.py makemigrations --merge <app>` and commit the merge migration.',
  },
  examples: {
    bad: {
      'alembic/versions/a1_base.py': 'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("CREATE TABLE t (id int)")\n\n\ndef downgrade():\n    op.execute("DROP TABLE t")\n',
      'alembic/versions/b1_left.py': 'from alembic import op\n\nrevision = "b1"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.execute("ALTER TABLE t ADD COLUMN x int")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE t DROP COLUMN x")\n',
      'alembic/versions/c1_right.py': 'from alembic import op\n\nrevision = "c1"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.execute("ALTER TABLE t ADD COLUMN y int")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE t DROP COLUMN y")\n',
    },
    good: {
      'alembic/versions/a1_base.py': 'from alembic import op\n\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    op.execute("CREATE TABLE t (id int)")\n\n\ndef downgrade():\n    op.execute("DROP TABLE t")\n',
      'alembic/versions/b1_left.py': 'from alembic import op\n\nrevision = "b1"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.execute("ALTER TABLE t ADD COLUMN x int")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE t DROP COLUMN x")\n',
      'alembic/versions/c1_right.py': 'from alembic import op\n\nrevision = "c1"\ndown_revision = "a1"\n\n\ndef upgrade():\n    op.execute("ALTER TABLE t ADD COLUMN y int")\n\n\ndef downgrade():\n    op.execute("ALTER TABLE t DROP COLUMN y")\n',
      'alembic/versions/d1_merge.py': 'revision = "d1"\ndown_revision = ("b1", "c1")\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n',
    },
  },
  check(ctx) {
    const alembic = ctx.facts.migrations.filter((m) => m.tool === 'alembic');
    for (const env of environments(alembic)) {
      const byId = new Map(env.map((m) => [m.id, m]));
      const isParent = new Set(env.flatMap((m) => m.parents));

      let dangling = false;
      for (const m of env) {
        const missing = m.parents.filter((p) => !byId.has(p));
        if (!missing.length) continue;
        dangling = true;
        ctx.report({
          message: `Revision ${m.id} revises ${missing.join(', ')}, which is not in the project: Alembic cannot build the revision graph and every \`alembic\` command fails.`,
          help: `Point down_revision at an existing revision (or restore the missing file ${missing.join(', ')}).`,
          span: m.span,
          data: { revision: m.id, missing },
        });
      }

      // A broken link already makes every command fail; the extra "head" it creates is the same problem.
      const heads = env.filter((m) => !isParent.has(m.id));
      if (heads.length < 2 || dangling) continue;
      // Labelled branches (branch_labels) are a multi-branch setup kept apart on purpose (`alembic upgrade heads`).
      const labelled = (m: Migration, seen = new Set<string>()): boolean => {
        if (m.branchLabels?.length) return true;
        seen.add(m.id);
        return m.parents.some((p) => byId.has(p) && !seen.has(p) && labelled(byId.get(p)!, seen));
      };
      if (heads.some((h) => labelled(h))) continue;
      const ids = heads.map((h) => h.id).sort();
      // One problem, one finding: on one head, with the others as related locations.
      const [first, ...others] = sortHeads(heads);
      ctx.report({
        message: `Alembic has ${heads.length} heads (${ids.join(', ')}): \`alembic upgrade head\` fails with "Multiple head revisions are present" and the deploy stops at the migration step.`,
        help: 'Join the branches: alembic merge heads -m "merge", then commit the new revision.',
        span: first.span,
        related: others.map((h) => ({ span: h.span, message: `head ${h.id}` })),
        data: { heads: ids },
      });
    }
    checkDjango(ctx, ctx.facts.migrations.filter((m) => m.tool === 'django'));
  },
});

/** Heads in file order, so the finding sits on the same file every run. */
function sortHeads(heads: Migration[]): Migration[] {
  return [...heads].sort((a, b) => (a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : 0));
}

/**
 * Django: each app has its own graph (ids `app.NNNN_name`, parents from `dependencies`). A leaf is a
 * migration no other migration of the same app depends on; `migrate` refuses to run with two. A dependency
 * on the same app that is missing breaks the graph (NodeNotFoundError); one on another app that is not in
 * the project is normal (contrib and third-party apps). Squashed migrations (`replaces`) are not modelled.
 */
function checkDjango(ctx: RuleContext, migrations: Migration[]): void {
  const byApp = new Map<string, Migration[]>();
  for (const m of migrations) {
    const app = m.id.split('.')[0];
    const list = byApp.get(app);
    if (list) list.push(m);
    else byApp.set(app, [m]);
  }
  for (const [app, ms] of byApp) {
    const ids = new Set(ms.map((m) => m.id));
    const sameApp = (p: string) => p.split('.')[0] === app;
    let dangling = false;
    for (const m of ms) {
      const missing = m.parents.filter((p) => sameApp(p) && !ids.has(p));
      if (!missing.length) continue;
      dangling = true;
      ctx.report({
        message: `Migration ${m.id} depends on ${missing.join(', ')}, which is not in the project: Django cannot build the migration graph (NodeNotFoundError) and every manage.py migrate fails.`,
        help: djangoHelp.danglingParent(app, missing),
        span: m.span,
        data: { revision: m.id, missing },
      });
    }
    if (dangling) continue;
    const isParent = new Set(ms.flatMap((m) => m.parents.filter(sameApp)));
    const heads = ms.filter((m) => !isParent.has(m.id));
    if (heads.length < 2) continue;
    const names = heads.map((h) => h.id).sort();
    const [first, ...others] = sortHeads(heads);
    ctx.report({
      message: `App "${app}" has ${heads.length} leaf migrations (${names.join(', ')}): manage.py migrate stops with "Conflicting migrations detected".`,
      help: djangoHelp.mergeHeads(app),
      span: first.span,
      related: others.map((h) => ({ span: h.span, message: `leaf ${h.id}` })),
      data: { app, heads: names },
    });
  }
}
