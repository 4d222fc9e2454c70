import * as path from 'path';
import type { Migration } from '../../../engine';
import type { LiveFinding } from '../../../engine/live';
import type { Db } from '../../connection';
import { plural } from '../context';
import { findHistoryTable, listSome, unappliedFinding, type ToolOutcome } from './shared';

// Flyway: flyway_schema_history (schema_version before Flyway 5) has a row per migration run. A versioned
// migration (V<version>__x.sql) is applied when a successful row has its version, or a BASELINE row has a
// version at or above it; an undo or delete marker after the last success takes that back. A row with
// success = false is a failed migration: `flyway migrate` stops at it until `flyway repair`, so it is its
// own finding. A repeatable (R__x.sql) is applied once a successful row names its script (a changed
// checksum cannot be judged without Flyway's own CRC of the file). Versions compare numerically, so 1.0
// and 1 are the same. Applied versions the repository lacks are reported only when newer than all of its
// versions (Flyway ignores those "future" migrations by default; older ones are usually cleaned up).

interface Row {
  rank: number;
  version: string | null;
  script: string;
  type: string;
  success: boolean;
  installed: string | null;
}

/** `1.2.0` → [1n, 2n]: numeric parts without trailing zeros. */
export function flywayVersion(v: string): bigint[] | undefined {
  const parts = v.trim().replace(/_/g, '.').split('.');
  if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
  const out = parts.map((p) => BigInt(p));
  while (out.length > 1 && out[out.length - 1] === 0n) out.pop();
  return out;
}

export function compareVersions(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const key = (v: readonly bigint[]) => v.join('.');

export async function compareFlyway(db: Db, flyway: readonly Migration[]): Promise<ToolOutcome> {
  const table = await findHistoryTable(db, ['flyway_schema_history', 'schema_version'], ['installed_rank', 'version', 'script', 'type', 'success']);
  const rows = table
    ? await db.query<Row>(
        `SELECT installed_rank AS rank, version::text AS version, script::text AS script, type::text AS type, success, installed_on::text AS installed FROM ${table.sql} ORDER BY installed_rank`,
      )
    : [];
  const tableName = table?.name ?? 'flyway_schema_history';
  // Per version: applied after the last row that says so (a later undo/delete marker takes it back).
  const state = new Map<string, { applied: boolean; version: bigint[] }>();
  let baseline: bigint[] | undefined;
  const failed: Row[] = [];
  const repeatables = new Set<string>();
  for (const r of rows) {
    const v = r.version !== null ? flywayVersion(r.version) : undefined;
    if (!r.success) {
      failed.push(r);
      continue;
    }
    if (r.type === 'SCHEMA') continue; // "<< Flyway Schema Creation >>", not a migration
    if (r.type === 'BASELINE' && v) baseline = baseline && compareVersions(baseline, v) > 0 ? baseline : v;
    else if (v) state.set(key(v), { applied: !/^UNDO|^DELETE$/.test(r.type), version: v });
    else if (r.version === null) repeatables.add(path.posix.basename(r.script.replace(/\\/g, '/')));
  }
  // A failed row followed by a successful run of the same version was repaired and re-run.
  const stillFailed = failed.filter((f) => {
    const v = f.version !== null ? flywayVersion(f.version) : undefined;
    return v ? !state.get(key(v))?.applied : !repeatables.has(path.posix.basename(f.script));
  });

  const versioned = flyway.filter((m) => m.id.startsWith('V')).map((m) => ({ m, v: flywayVersion(m.id.slice(1)) }));
  const failedVersions = new Set(stillFailed.filter((f) => f.version !== null).map((f) => key(flywayVersion(f.version!) ?? [])));
  const isApplied = (v: bigint[]) => (baseline !== undefined && compareVersions(v, baseline) <= 0) || state.get(key(v))?.applied === true;
  // A version Flyway could not parse either is not ours to judge.
  const pendingVersioned = versioned.filter(({ v }) => v && !isApplied(v) && !failedVersions.has(key(v)));
  const pendingRepeatable = flyway.filter((m) => m.id.startsWith('R__') && !repeatables.has(path.posix.basename(m.file)) && !stillFailed.some((f) => f.version === null && path.posix.basename(f.script) === path.posix.basename(m.file)));
  const appliedVersions = [...state.values()].filter((s) => s.applied).map((s) => s.version);
  const newestDb = [...appliedVersions, ...(baseline ? [baseline] : [])].sort(compareVersions).pop();
  const newestLocal = versioned.map((x) => x.v).filter((v): v is bigint[] => !!v).sort(compareVersions).pop();

  const findings: LiveFinding[] = [];
  const local = new Map(versioned.filter((x) => x.v).map((x) => [key(x.v!), x.m]));
  for (const f of stillFailed) {
    const m = f.version !== null ? local.get(key(flywayVersion(f.version) ?? [])) : flyway.find((x) => path.posix.basename(x.file) === path.posix.basename(f.script));
    const name = f.version !== null ? `V${f.version}` : f.script;
    findings.push({
      rule: 'live-failed-migration',
      severity: 'error',
      category: 'schema',
      message: `Flyway recorded migration ${name} (${f.script}) as failed${f.installed ? ` at ${f.installed}` : ''}: \`flyway migrate\` stops with "Detected failed migration" until the entry is repaired, and the changes it made before failing are still in the database.`,
      help: 'Undo or finish what the migration did by hand, then run `flyway repair` (it removes the failed entry) and `flyway migrate` again.',
      ...(m ? { anchor: { migration: m.id } } : {}),
      key: `failed:${name}`,
      data: { revision: name, script: f.script, file: m?.file },
    });
  }
  for (const [k, s] of state) {
    if (!s.applied || local.has(k) || !newestLocal || compareVersions(s.version, newestLocal) <= 0) continue;
    findings.push({
      rule: 'live-unknown-migration-revision',
      severity: 'warning',
      category: 'schema',
      message: `The database has Flyway migration V${k} applied, which is newer than every migration in this repository (${tableName}): it was migrated by another branch or a newer version of the code, so its schema may not match this code.`,
      help: 'Deploy the code that has the migration (or merge its branch); `flyway info` lists both sides.',
      key: `unknown:V${k}`,
      data: { revision: `V${k}` },
    });
  }
  const at = !table ? 'the database has no flyway_schema_history table (no migration applied)' : newestDb ? `${tableName} is at version ${key(newestDb)}` : `${tableName} has no successful versioned migration`;
  const help = 'Apply it before the code that needs it starts: `flyway migrate` in the deploy step.';
  for (const { m, v } of pendingVersioned) {
    const outOfOrder = newestDb && v && compareVersions(v, newestDb) < 0;
    const f = unappliedFinding(m, m.id, at, help);
    if (outOfOrder) f.message += ` It is older than the database's newest version, so \`flyway migrate\` reports it as "resolved but not applied" and fails validation unless outOfOrder is enabled.`;
    findings.push(f);
  }
  for (const m of pendingRepeatable) findings.push(unappliedFinding(m, m.id, `${at}, and no run of this repeatable migration is recorded`, help));

  const pending = [...pendingVersioned.map((x) => x.m), ...pendingRepeatable];
  const parts: string[] = [];
  if (pending.length) parts.push(`${plural(pending.length, 'Flyway migration')} of ${flyway.length} not applied: ${listSome(pending.map((m) => m.id))}`);
  if (stillFailed.length) parts.push(`${plural(stillFailed.length, 'failed migration')} recorded: ${listSome(stillFailed.map((f) => (f.version !== null ? `V${f.version}` : f.script)))}`);
  const newer = findings.filter((f) => f.rule === 'live-unknown-migration-revision').length;
  if (newer) parts.push(`the database has ${plural(newer, 'newer migration')} than the repository`);
  const summary = parts.length ? parts.join('; ') : `all ${plural(flyway.length, 'Flyway migration')} applied (${at.replace(/^.* is at /, 'at ')})`;
  return { tool: 'Flyway', total: flyway.length, findings, summary };
}
