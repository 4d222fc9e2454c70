import type { LiveFinding } from '../../engine/live';
import { prettySize, type CatalogIndex } from '../catalog';
import { outcome, plural, type LiveCheck } from './context';

// Duplicate indexes (same method, keys, operator classes, collations, expressions and predicate) and
// redundant ones (a plain btree whose keys are a leading prefix of another btree's keys on the same table,
// same predicate). Each costs every INSERT/UPDATE/DELETE a second index write, and memory, for nothing.

/** Which of two duplicates to drop: never one that backs a constraint; otherwise the later name. */
function dropOf(a: CatalogIndex, b: CatalogIndex): [drop: CatalogIndex, keep: CatalogIndex] | undefined {
  if (a.constraint && b.constraint) return undefined;
  if (a.constraint) return [b, a];
  if (b.constraint) return [a, b];
  if (a.unique !== b.unique) return a.unique ? [b, a] : [a, b];
  return a.name < b.name ? [b, a] : [a, b];
}

const check: LiveCheck = {
  id: 'duplicate-indexes',
  title: 'Duplicate and redundant indexes',
  category: 'performance',
  async run(ctx) {
    const byTable = new Map<string, CatalogIndex[]>();
    for (const ix of ctx.catalog.indexes) if (ix.valid) byTable.set(ix.table, [...(byTable.get(ix.table) ?? []), ix]);
    const findings: LiveFinding[] = [];
    let wasted = 0;
    for (const [table, list] of byTable) {
      const reported = new Set<string>();
      for (let i = 0; i < list.length; i++) {
        for (let j = i + 1; j < list.length; j++) {
          const a = list[i];
          const b = list[j];
          if (a.identity !== b.identity) continue;
          const pair = dropOf(a, b);
          if (!pair || reported.has(pair[0].name)) continue;
          const [drop, keep] = pair;
          reported.add(drop.name);
          wasted += drop.sizeBytes;
          findings.push({
            rule: 'live-duplicate-index',
            severity: 'warning',
            category: 'performance',
            message: `Index ${drop.name} on "${table}" duplicates ${keep.name} (${drop.definition.replace(/^.* USING /, 'USING ')}): every write to "${table}" updates both, and ${prettySize(drop.sizeBytes)} of memory and disk hold the same thing twice.`,
            help: `DROP INDEX CONCURRENTLY ${drop.name}; (in Alembic: op.drop_index("${drop.name}", table_name="${table}", postgresql_concurrently=True) inside op.get_context().autocommit_block()), and remove it from the models.`,
            anchor: { table, index: drop.name },
            key: `dup:${table}:${drop.name}`,
            data: { table, index: drop.name, duplicateOf: keep.name, sizeBytes: drop.sizeBytes },
          });
        }
      }
      // Redundant: a plain btree on (a) when another btree on the same table starts with (a, …).
      for (const a of list) {
        if (reported.has(a.name) || a.unique || a.constraint || a.method !== 'btree' || a.columns.some((c) => c === null)) continue;
        const wider = list.find(
          (b) => b !== a && b.method === 'btree' && b.keyCount > a.keyCount && (b.predicate ?? '') === (a.predicate ?? '') && a.columns.every((c, k) => b.columns[k] === c),
        );
        if (!wider) continue;
        reported.add(a.name);
        wasted += a.sizeBytes;
        findings.push({
          rule: 'live-redundant-index',
          severity: 'info',
          category: 'performance',
          message: `Index ${a.name} on "${table}" (${a.columns.join(', ')}) is covered by ${wider.name} (${wider.columns.map((c) => c ?? '(expression)').join(', ')}), which serves the same lookups: ${prettySize(a.sizeBytes)} and one index write per row change for little gain.`,
          help: `Check with EXPLAIN that the queries use ${wider.name} as well, then DROP INDEX CONCURRENTLY ${a.name};`,
          anchor: { table, index: a.name },
          key: `redundant:${table}:${a.name}`,
          data: { table, index: a.name, coveredBy: wider.name, sizeBytes: a.sizeBytes },
        });
      }
    }
    const dups = findings.filter((f) => f.rule === 'live-duplicate-index').length;
    const redundant = findings.length - dups;
    if (!findings.length) return outcome('ok', `no duplicate or redundant indexes among ${ctx.catalog.indexes.length}`);
    return outcome(dups ? 'problem' : 'ok', `${plural(dups, 'duplicate index', 'duplicate indexes')}, ${plural(redundant, 'redundant index', 'redundant indexes')} (${prettySize(wasted)})`, findings);
  },
};
export default check;
