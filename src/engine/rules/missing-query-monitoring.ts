import { defineRule } from '../rule';
import { hasDatabaseCode, listEvidence } from './missing-backup-strategy';

export default defineRule({
  id: 'missing-query-monitoring',
  category: 'monitoring',
  severity: 'warning',
  practice: true,
  summary: 'The repository has a database but nothing shows that its queries are monitored.',
  docs: {
    what:
      'Looks through config files, compose files, Kubernetes manifests, Terraform and migrations for PostgreSQL query monitoring: pg_stat_statements (in shared_preload_libraries or CREATE EXTENSION), postgres_exporter, the Datadog postgres integration, RDS Performance Insights, Cloud SQL Query Insights, pganalyze, auto_explain. Reports once per repository when there is none.',
    why:
      'Slow queries, lock waits and N+1 storms show up in production first. Without per-statement statistics there is no way to tell which query got slower after a deploy, or which one holds the lock everything else waits on; incidents are then debugged by guessing.',
    instead:
      'Enable pg_stat_statements (add it to shared_preload_libraries and run CREATE EXTENSION pg_stat_statements) and scrape the database with postgres_exporter, or turn on your provider\'s query insights (RDS performance_insights_enabled = true, Cloud SQL query_insights_enabled = true).',
  },
  examples: {
    bad: { 'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n' },
    good: {
      'migrations/V1__init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
      'migrations/V2__monitoring.sql': 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements;\n',
    },
  },
  check(ctx) {
    const facts = ctx.facts;
    if (!hasDatabaseCode(facts)) return;
    const found = facts.evidence.filter((e) => e.kind === 'monitoring');
    if (found.length) {
      ctx.report({
        strength: true,
        message: `Query monitoring is configured in the repository: ${listEvidence(found)}.`,
        help: 'Alert on the numbers, not only collect them: slow-query rate, lock waits, connection saturation, replication lag.',
        span: found[0].span,
        key: 'monitoring-evidence',
        data: { evidence: found.map((e) => e.what) },
      });
      return;
    }
    ctx.report({
      message: 'No query monitoring evidence in the repository: no pg_stat_statements, postgres_exporter, Performance Insights or other PostgreSQL monitoring configuration.',
      help:
        "Enable pg_stat_statements: `shared_preload_libraries = 'pg_stat_statements'` (compose: `command: postgres -c shared_preload_libraries=pg_stat_statements`) and `CREATE EXTENSION IF NOT EXISTS pg_stat_statements;` in a migration; then run postgres_exporter (prometheuscommunity/postgres-exporter) next to the database.",
      key: 'no-monitoring-evidence',
    });
  },
});
