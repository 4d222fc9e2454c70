import type { DbClientConfig, QuerySite, Table } from '../../facts';

// Help lines in the dialect of a TS/JS project, for rules whose default help is written for SQLAlchemy/
// Alembic. Each returns undefined when the fact is not from a TS/JS ORM, so the rule keeps its own text.

const JS_ORMS = new Set(['prisma', 'typeorm', 'knex', 'sequelize', 'pg', 'drizzle']);

export function isJsOrm(orm: string | undefined): boolean {
  return !!orm && JS_ORMS.has(orm);
}

const accessor = (model?: string) => (model ? model[0].toLowerCase() + model.slice(1) : 'model');

/** n-plus-one: how a query in a loop is written, and how to batch it. */
export function nPlusOneDescribe(q: QuerySite): string | undefined {
  if (!isJsOrm(q.orm) || q.operation === 'raw') return undefined;
  const m = q.models[0] ?? q.tables[0];
  const method = /\.(\w+)\s*\(/.exec(q.code.replace(/\([\s\S]*$/, '') + '(')?.[1];
  const cols = q.predicates.length ? ` filtered on ${[...new Set(q.predicates.map((p) => p.column))].join(', ')}` : '';
  return `\`${q.orm === 'prisma' ? `prisma.${accessor(m)}.${method ?? 'find'}` : `${m}.${method ?? 'find'}`}()\`${cols}`;
}

export function nPlusOneHelp(q: QuerySite): string | undefined {
  if (!isJsOrm(q.orm)) return undefined;
  const col = q.predicates.find((p) => p.op === 'eq')?.column ?? 'id';
  const m = accessor(q.models[0]);
  switch (q.orm) {
    case 'prisma':
      return `Fetch the rows once before the loop — \`prisma.${m}.findMany({ where: { ${col}: { in: ids } } })\` and a Map by ${col} — or load them with the list query's \`include\`. \`Promise.all(items.map(...))\` still sends one query per item.`;
    case 'typeorm':
      return `Fetch the rows once before the loop (\`repo.findBy({ ${col}: In(ids) })\`) or load the relation with \`relations: [...]\` on the list query.`;
    case 'sequelize':
      return `Fetch the rows once before the loop (\`${q.models[0] ?? 'Model'}.findAll({ where: { ${col}: ids } })\`) or eager-load with \`include\` on the list query.`;
    case 'knex':
      return `Fetch the rows once before the loop (\`knex('${q.tables[0] ?? 'table'}').whereIn('${col}', ids)\`) and look them up in a Map.`;
    default:
      return `Fetch the rows once before the loop (\`WHERE ${col} = ANY($1)\` with an array of ids) and look them up in a Map.`;
  }
}

export function indirectHelp(callee: string, q: QuerySite): string | undefined {
  if (!isJsOrm(q.orm)) return undefined;
  return `Fetch what \`${callee}\` needs for all items before the loop in one query (${q.orm === 'prisma' ? '`findMany({ where: { id: { in: ids } } })`' : '`WHERE id = ANY($1)` / `whereIn`'}) and pass the rows in; \`Promise.all(items.map(...))\` still sends one query per item.`;
}

/** missing-fk-index / missing-filter-index: where the index is declared in a Prisma/TypeORM/Drizzle model. */
export function modelIndexHelp(table: Table, cols: string[]): string | undefined {
  const file = table.span?.file ?? '';
  const attrs = cols.map((c) => table.columns.find((x) => x.name === c)?.attribute ?? c);
  if (file.endsWith('.prisma')) return `Add \`@@index([${attrs.join(', ')}])\` to model ${table.model ?? table.name} and create it with \`CREATE INDEX CONCURRENTLY\` in its own migration (create it with prisma migrate dev --create-only, then edit migration.sql; Prisma never indexes relation scalars on PostgreSQL).`;
  if (/\.[mc]?[jt]sx?$/.test(file) && table.model) {
    return `Add an index on ${attrs.join(', ')} to ${table.model} (TypeORM \`@Index()\` on the property, Drizzle \`index('${table.name}_${cols.join('_')}_idx').on(...)\`) and build it with \`CREATE INDEX CONCURRENTLY\` in a migration.`;
  }
  return undefined;
}

export function bindHelp(orm: string): string | undefined {
  switch (orm) {
    case 'prisma':
      return 'Use the tagged template, which binds every `${…}` as a parameter: prisma.$queryRaw`… WHERE status = ${status}` (or Prisma.sql); map identifiers (sort columns) through a constant object instead of Prisma.raw / $queryRawUnsafe.';
    case 'pg':
      return 'Pass the values separately: `pool.query("… WHERE status = $1", [status])`; map identifiers (sort columns) through a constant object.';
    case 'knex':
      return 'Bind the values: `knex.raw("… WHERE status = ?", [status])` (use `??` for identifiers), or use the query builder.';
    case 'typeorm':
      return 'Pass the values as parameters: `dataSource.query("… WHERE status = $1", [status])`, or use the QueryBuilder with `:name` parameters.';
    case 'sequelize':
      return 'Bind the values: `sequelize.query("… WHERE status = :status", { replacements: { status } })`.';
    case 'drizzle':
      return 'Use the `sql` template (it binds `${…}` as parameters) instead of `sql.raw`; map identifiers through a constant object.';
    default:
      return undefined;
  }
}

export function timeoutHelp(c: DbClientConfig): string | undefined {
  if (c.kind.startsWith('pg.')) return 'Pass `statement_timeout: 5000, idle_in_transaction_session_timeout: 60000` (and `query_timeout` as a client-side backstop) to `new Pool({...})`.';
  if (c.kind === 'knex') return 'Set it per connection: `connection: { ..., statement_timeout: 5000 }` or `pool: { afterCreate: (conn, done) => conn.query("SET statement_timeout = 5000; SET idle_in_transaction_session_timeout = 60000", done) }`.';
  if (c.kind === 'prisma') return 'Add `options=-c%20statement_timeout%3D5000` to the connection URL (`postgresql://…?connection_limit=10&options=-c%20statement_timeout%3D5000`), or `ALTER ROLE app SET statement_timeout = \'5s\'` in a migration.';
  if (c.kind.startsWith('typeorm')) return 'Add `extra: { statement_timeout: 5000, idle_in_transaction_session_timeout: 60000 }` to the DataSource options.';
  if (c.kind === 'sequelize') return 'Add `dialectOptions: { statement_timeout: 5000, idle_in_transaction_session_timeout: 60000 }` to the Sequelize options.';
  return undefined;
}

export function uniqueHelp(table: Table, cols: string[]): string | undefined {
  const file = table.span?.file ?? '';
  const attrs = cols.map((c) => table.columns.find((x) => x.name === c)?.attribute ?? c);
  if (file.endsWith('.prisma')) return `Enforce it in the database: ${attrs.length === 1 ? `\`@unique\` on ${table.model}.${attrs[0]}` : `\`@@unique([${attrs.join(', ')}])\` on ${table.model}`} (remove duplicates first), then use \`upsert\` or catch error P2002 on create.`;
  return undefined;
}

/** ilike-without-trigram-index on a Prisma model: the `@@index` with the operator class, and the extension. */
export function trigramHelp(table: Table, column: string): string | undefined {
  if (!(table.span?.file ?? '').endsWith('.prisma')) return undefined;
  const attr = table.columns.find((c) => c.name === column)?.attribute ?? column;
  return `Add \`@@index([${attr}(ops: raw("gin_trgm_ops"))], type: Gin)\` to model ${table.model ?? table.name}, create the migration with \`prisma migrate dev --create-only\`, put \`CREATE EXTENSION IF NOT EXISTS pg_trgm;\` at the top of its migration.sql and build the index with \`CREATE INDEX CONCURRENTLY\` (alone in that migration).`;
}

/** plaintext-secret-column when the writes are in TS/JS code: Node's crypto / bcrypt instead of hashlib. */
export function secretHelp(column: string, attribute: string | undefined, passwords: boolean, writeFiles: string[]): string | undefined {
  if (!writeFiles.some((f) => /\.[mc]?[jt]sx?$/.test(f))) return undefined;
  const a = attribute ?? column;
  return passwords
    ? `Hash passwords before storing them (\`await bcrypt.hash(password, 12)\` or \`argon2.hash(password)\`) into a \`${a}Hash\` field, and check them with \`bcrypt.compare\`.`
    : `Store a digest instead: write \`createHash('sha256').update(${a}).digest('hex')\` (node:crypto) to a \`${a}Hash\` field, look rows up by the digest of the presented value, and show the raw value to the user only once.`;
}

/** require-concurrent-index-creation in a Knex/TypeORM/Sequelize/Prisma migration: the tool's own opt-out. */
export function concurrentIndexHelp(tool: string, table: string, index: string | undefined): string | undefined {
  const name = index ?? `${table}_…_idx`;
  switch (tool) {
    case 'knex':
      return `Create it concurrently, outside the migration transaction: \`await knex.raw('CREATE INDEX CONCURRENTLY ${name} ON ${table} (…)')\` and \`exports.config = { transaction: false };\` in this migration.`;
    case 'typeorm':
      return `Create it concurrently: \`new TableIndex({ ..., isConcurrent: true })\` (or \`CREATE INDEX CONCURRENTLY ${name} ON ${table} (…)\`) and set \`transaction = false as const;\` on the migration class (run with \`migrationsTransactionMode: 'each'\`).`;
    case 'sequelize':
      return `Create it concurrently: \`queryInterface.addIndex('${table}', [...], { name: '${name}', concurrently: true })\`, outside any \`sequelize.transaction()\`.`;
    case 'prisma':
      return `Use \`CREATE INDEX CONCURRENTLY ${name} ON ${table} (…);\` as the only statement of its own migration.sql (\`prisma migrate dev --create-only\`, then edit): Prisma runs a single-statement migration without wrapping it in a transaction.`;
    default:
      return undefined;
  }
}
