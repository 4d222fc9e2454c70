import { hasLeadingIndex } from '../../engine/facts/schema';
import type { LiveFinding, LiveVerdict } from '../../engine/live';
import { colText, outcome, plural, sameColumns, staticFindings, tableKey, type LiveCheck } from './context';

// Foreign keys whose columns lead no valid index, read from the catalog. A static `missing-fk-index`
// finding is confirmed when the database has the same unindexed key, and cleared when the database has an
// index that serves it (built by hand or by a migration the code does not show).

const check: LiveCheck = {
  id: 'fk-without-index',
  title: 'Foreign keys without an index',
  category: 'performance',
  async run(ctx) {
    const { catalog } = ctx;
    const statics = staticFindings(ctx, 'missing-fk-index');
    const findings: LiveFinding[] = [];
    const verdicts: LiveVerdict[] = [];
    let unindexed = 0;
    for (const fk of catalog.foreignKeys) {
      const table = catalog.schema.tables.get(fk.table)!;
      if (hasLeadingIndex(table, fk.columns)) continue;
      unindexed++;
      const rows = catalog.rows.get(fk.table) ?? -1;
      const size = rows >= 0 ? `; "${table.name}" has about ${Math.round(rows).toLocaleString('en')} rows` : '';
      const matched = statics.some((f) => tableKey(f.data?.table) === fk.table && sameColumns((f.data?.columns as string[]) ?? [], fk.columns));
      if (matched) {
        verdicts.push({
          rule: 'missing-fk-index',
          match: { table: fk.table, columns: fk.columns },
          verdict: 'confirmed',
          note: `foreign key ${fk.name} exists and no index on "${table.name}" starts with (${fk.columns.join(', ')})${size}.`,
        });
        continue;
      }
      const ix = `ix_${table.name}_${fk.columns.join('_')}`;
      findings.push({
        rule: 'live-fk-without-index',
        severity: 'warning',
        category: 'performance',
        message: `Foreign key ${fk.name}: ${colText(table.name, fk.columns)} → "${fk.refTable}" has no index in the database${size}: every DELETE or key UPDATE on "${fk.refTable}" scans "${table.name}", and joins from "${fk.refTable}" cannot use an index.`,
        help: `CREATE INDEX CONCURRENTLY ${ix} ON ${table.name} (${fk.columns.join(', ')}); and add it to the models and migrations so it stays.`,
        anchor: { table: fk.table, columns: fk.columns, foreignKey: true },
        key: `${fk.table}(${fk.columns.join(',')})`,
        data: { table: fk.table, columns: fk.columns, refTable: fk.refTable, constraint: fk.name, suggestedSql: `CREATE INDEX CONCURRENTLY ${ix} ON ${table.name} (${fk.columns.join(', ')});` },
      });
    }
    // Static findings the database contradicts: the table is there and an index serves the key.
    const seen = new Set<string>();
    let notInDb = 0;
    for (const f of statics) {
      const t = tableKey(f.data?.table);
      const cols = ((f.data?.columns as string[]) ?? []).map((c) => c.toLowerCase());
      const key = `${t}(${cols.join(',')})`;
      if (seen.has(key) || !cols.length) continue;
      seen.add(key);
      const table = catalog.schema.tables.get(t);
      if (!table || !cols.every((c) => table.columns.some((x) => x.name === c))) {
        notInDb++;
        continue;
      }
      if (!hasLeadingIndex(table, cols)) continue;
      const ix = table.indexes.find((i) => sameColumns(i.keys.slice(0, cols.length).map((k) => k.column ?? null), cols)) ?? table.indexes.find((i) => cols.includes(i.keys[0]?.column ?? ''));
      verdicts.push({
        rule: 'missing-fk-index',
        match: { table: t, columns: cols },
        verdict: 'cleared',
        note: `the database has index ${ix?.name ?? '(primary key)'} on "${t}" (${cols.join(', ')}), created outside the code's migrations: add it to them so a fresh database gets it too.`,
      });
    }
    const confirmed = verdicts.filter((v) => v.verdict === 'confirmed').length;
    const cleared = verdicts.length - confirmed;
    const parts = [`${plural(unindexed, 'foreign key')} of ${catalog.foreignKeys.length} without an index`];
    if (confirmed) parts.push(`${confirmed} confirming the code`);
    if (cleared) parts.push(`${cleared} static finding${cleared === 1 ? '' : 's'} cleared (indexed in the database)`);
    if (notInDb) parts.push(`${notInDb} not checked (table or column not in the database)`);
    return outcome(unindexed ? 'problem' : 'ok', parts.join('; '), findings, verdicts);
  },
};
export default check;
