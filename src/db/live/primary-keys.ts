import type { LiveFinding } from '../../engine/live';
import { outcome, plural, type LiveCheck } from './context';

// Tables without a primary key: rows cannot be addressed reliably (ORMs refuse to map them, UPDATE and
// DELETE replicate as full-row lookups), logical replication cannot publish their updates and deletes, and
// duplicate rows creep in.

const check: LiveCheck = {
  id: 'tables-without-primary-key',
  title: 'Tables without a primary key',
  category: 'schema',
  async run(ctx) {
    const missing = [...ctx.catalog.schema.tables.entries()].filter(([key, t]) => !t.primaryKey.length && key !== 'alembic_version');
    const findings: LiveFinding[] = missing.map(([key, t]) => {
      const declared = ctx.facts.schema.tables.get(key)?.primaryKey ?? [];
      const message = declared.length
        ? `Table "${key}" has no primary key in the database, although the code declares one on (${declared.join(', ')}): the migration that adds it is not applied, or the table was created by hand.`
        : `Table "${key}" has no primary key: rows cannot be addressed reliably, logical replication cannot publish its UPDATEs and DELETEs, and duplicate rows go unnoticed.`;
      return {
        rule: 'live-table-without-primary-key',
        severity: 'warning' as const,
        category: 'schema' as const,
        message,
        help: declared.length ? 'Apply the migrations (alembic upgrade head), or add the key: ALTER TABLE … ADD PRIMARY KEY (…).' : `Add one: ALTER TABLE ${key} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; (or a primary key over the columns that identify a row).`,
        anchor: { table: key },
        key: `nopk:${key}`,
        data: { table: key },
      };
    });
    const n = ctx.catalog.schema.tables.size;
    return missing.length ? outcome('problem', `${plural(missing.length, 'table')} of ${n} without a primary key: ${missing.map(([k]) => k).slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, findings) : outcome('ok', `all ${plural(n, 'table')} have a primary key`);
  },
};
export default check;
