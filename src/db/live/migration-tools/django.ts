import type { Migration } from '../../../engine';
import type { LiveFinding } from '../../../engine/live';
import type { Db } from '../../connection';
import { plural } from '../context';
import { findHistoryTable, leadingNumber, listSome, unappliedFinding, type ToolOutcome } from './shared';

// Django: django_migrations has one row (app, name) per applied migration. Each app's migration files
// are compared with its rows. What Django itself ignores stays quiet here too: rows of Django's own apps
// (auth, admin, …) and rows of migrations deleted from the repository (after a squash, or pruned by hand)
// are not problems; a row newer than every migration of its app in the repository is (the database was
// migrated by newer code). A squashed migration (`0001_squashed_0004_…`) counts as applied when the
// migration it ends with is recorded: Django records the replaced migrations when it applies a squash.

interface Row {
  app: string;
  name: string;
}

const appOf = (m: Migration) => m.id.slice(0, m.id.indexOf('.'));
const nameOf = (m: Migration) => m.id.slice(m.id.indexOf('.') + 1);

/**
 * The label each project app is recorded under. The extractor names an app after its folder; an AppConfig
 * may give it another label, so a project app with no rows under its folder name takes the label of an
 * app outside the project whose recorded names overlap its own (beyond the ubiquitous 0001_initial).
 */
function labels(project: Map<string, Set<string>>, recorded: Map<string, Set<string>>): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const app of project.keys()) if (recorded.has(app)) (out.set(app, app), taken.add(app));
  for (const [app, names] of project) {
    if (out.has(app)) continue;
    let best: { label: string; score: number } | undefined;
    for (const [label, got] of recorded) {
      if (taken.has(label) || project.has(label)) continue;
      const score = [...names].filter((n) => n !== '0001_initial' && got.has(n)).length;
      if (score > 0 && (!best || score > best.score)) best = { label, score };
    }
    if (best) (out.set(app, best.label), taken.add(best.label));
  }
  return out;
}

/** `0001_squashed_0004_auto` → 4n: the last migration the squash replaces. */
const squashEnd = (name: string) => {
  const m = /^\d+_squashed_(\d+)(?:_|$)/.exec(name);
  return m ? BigInt(m[1]) : undefined;
};

export async function compareDjango(db: Db, django: readonly Migration[]): Promise<ToolOutcome> {
  const table = await findHistoryTable(db, ['django_migrations'], ['app', 'name']);
  const rows = table ? await db.query<Row>(`SELECT app::text AS app, name::text AS name FROM ${table.sql}`) : [];
  const recorded = new Map<string, Set<string>>();
  for (const r of rows) recorded.set(r.app, (recorded.get(r.app) ?? new Set()).add(r.name));
  const project = new Map<string, Set<string>>();
  for (const m of django) project.set(appOf(m), (project.get(appOf(m)) ?? new Set()).add(nameOf(m)));
  const labelOf = labels(project, recorded);

  const findings: LiveFinding[] = [];
  const pending: Migration[] = [];
  for (const m of django) {
    const app = appOf(m);
    const got = recorded.get(labelOf.get(app) ?? app) ?? new Set<string>();
    const name = nameOf(m);
    if (got.has(name)) continue;
    const end = squashEnd(name);
    if (end !== undefined && [...got].some((n) => leadingNumber(n) === end)) continue;
    pending.push(m);
  }
  for (const [app, names] of project) {
    const label = labelOf.get(app) ?? app;
    // A squash stands for the migrations it ends with: 0001_squashed_0004_x counts as 0004.
    const newest = [...names].map((n) => squashEnd(n) ?? leadingNumber(n)).reduce<bigint | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
    for (const n of [...(recorded.get(label) ?? [])].sort()) {
      const num = leadingNumber(n);
      if (names.has(n) || num === undefined || newest === undefined || num <= newest) continue;
      findings.push({
        rule: 'live-unknown-migration-revision',
        severity: 'warning',
        category: 'schema',
        message: `The database has Django migration ${label}.${n} applied, which is newer than every migration of ${app} in this repository: it was migrated by another branch or a newer version of the code, so its schema may not match these models.`,
        help: `Deploy the code that has ${label}.${n} (or merge its branch); \`python manage.py showmigrations ${label}\` lists what the repository has.`,
        key: `unknown:${label}.${n}`,
        data: { revision: `${label}.${n}`, app: label },
      });
    }
  }
  const at = (m: Migration) => {
    const app = appOf(m);
    const label = labelOf.get(app) ?? app;
    if (!table) return 'the database has no django_migrations table (no migration applied)';
    const got = [...(recorded.get(label) ?? [])].filter((n) => project.get(app)?.has(n)).sort();
    return got.length ? `django_migrations has ${label} up to ${got[got.length - 1]}` : `django_migrations has no migration of ${label}`;
  };
  for (const m of pending) {
    const label = labelOf.get(appOf(m)) ?? appOf(m);
    findings.push(unappliedFinding(m, `${label}.${nameOf(m)}`, at(m), 'Apply it before the code that needs it starts: `python manage.py migrate` in the deploy step.', { app: label }));
  }
  const apps = plural(project.size, 'app');
  const summary = pending.length
    ? `${plural(pending.length, 'Django migration')} of ${django.length} not applied: ${listSome(pending.map((m) => m.id))}${table ? '' : ' (no django_migrations table)'}`
    : `all ${plural(django.length, 'Django migration')} applied (${apps})`;
  return { tool: 'Django', total: django.length, findings, summary: findings.length && !pending.length ? `${summary}; the database has newer migrations than the repository` : summary };
}
