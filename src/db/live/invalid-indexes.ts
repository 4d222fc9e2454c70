import type { LiveFinding } from '../../engine/live';
import { prettySize } from '../catalog';
import { outcome, plural, type LiveCheck } from './context';

// Invalid indexes (pg_index.indisvalid = false): what a failed or cancelled CREATE INDEX CONCURRENTLY
// leaves behind. The planner never uses them, but writes still maintain them (and a unique one still
// rejects duplicates), so they cost without helping, and the query they were built for is still slow.

const check: LiveCheck = {
  id: 'invalid-indexes',
  title: 'Invalid indexes',
  category: 'performance',
  async run(ctx) {
    const invalid = ctx.catalog.indexes.filter((ix) => !ix.valid);
    const findings: LiveFinding[] = invalid.map((ix) => ({
      rule: 'live-invalid-index',
      severity: 'warning',
      category: 'performance',
      message: `Index ${ix.name} on "${ix.table}" is INVALID (a failed or cancelled CREATE INDEX CONCURRENTLY): queries cannot use it, but every write still maintains it (${prettySize(ix.sizeBytes)}).`,
      help: `Rebuild it: REINDEX INDEX CONCURRENTLY ${ix.name}; or drop it (DROP INDEX CONCURRENTLY ${ix.name};) and create it again CONCURRENTLY.`,
      anchor: { table: ix.table, index: ix.name },
      key: `invalid:${ix.table}:${ix.name}`,
      data: { table: ix.table, index: ix.name, definition: ix.definition },
    }));
    return invalid.length ? outcome('problem', `${plural(invalid.length, 'invalid index', 'invalid indexes')}: ${invalid.map((i) => i.name).join(', ')}`, findings) : outcome('ok', 'no invalid indexes');
  },
};
export default check;
