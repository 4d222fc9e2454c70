import type { FileFacts } from '../../facts';
import type { PyContext } from './context';
import { extractDjangoMigrations } from './django-migrations';
import { extractDjangoModels } from './django-models';
import { extractDjangoQueries } from './django-queries';
import { extractDjangoSettings } from './django-settings';

// The Django front end, run on the same parse as the SQLAlchemy extractors (before `writes`, which reads
// the tables and query sites found here for column writes and check-then-insert).

export function extractDjango(ctx: PyContext, facts: FileFacts): void {
  if (!/\bdjango\b|\.objects\b|\bDATABASES\b|class\s+Migration\b|serializers?\b/.test(ctx.text)) return;
  extractDjangoModels(ctx, facts);
  extractDjangoMigrations(ctx, facts);
  extractDjangoQueries(ctx, facts);
  extractDjangoSettings(ctx, facts);
}
