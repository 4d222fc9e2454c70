import * as assert from 'assert';
import { analyzeFiles } from '../../src/engine';
import { ready$ } from '../helpers';

// Facts from schema.prisma: tables named as Prisma creates them, @map/@@map, relation scalars as FKs,
// @id/@unique/@@unique/@@index as indexes, @db.* types, datasource URL settings.

describe('prisma schema facts', () => {
  before(ready$);
  it('reads models, relations, indexes and the datasource', () => {
    const schema = `
datasource db {
  provider = "postgresql"
  url      = "postgresql://app@db/shop?connection_limit=5&options=-c%20statement_timeout%3D5000"
}
model User {
  id    Int    @id @default(autoincrement())
  email String @unique @db.VarChar(120)
  posts Post[]
  @@map("users")
}
model Post {
  id       Int    @id
  authorId Int    @map("author_id")
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
  slug     String
  title    String
  @@unique([authorId, slug])
  @@index([title(ops: raw("gin_trgm_ops"))], type: Gin)
}`;
    const f = analyzeFiles([{ path: 'prisma/schema.prisma', text: schema }]).facts;
    const users = f.schema.tables.get('users')!;
    const post = f.schema.tables.get('Post')!;
    assert.strictEqual(users.model, 'User');
    assert.strictEqual(users.columns.find((c) => c.name === 'email')?.type, 'character varying(120)');
    assert.ok(users.columns.find((c) => c.name === 'email')?.unique);
    assert.deepStrictEqual(post.foreignKeys.map((k) => `${k.columns}->${k.refTable}(${k.refColumns}) ${k.onDelete}`), ['author_id->users(id) cascade']);
    assert.deepStrictEqual(post.relationships.map((r) => `${r.name}:${r.target}:${r.lazy}`), ['author:User:select']);
    assert.ok(post.indexes.some((i) => i.unique && i.keys.map((k) => k.column).join() === 'author_id,slug'));
    assert.ok(post.indexes.some((i) => i.method === 'gin' && i.keys[0].opclass === 'gin_trgm_ops'));
    assert.strictEqual(f.clients[0].kind, 'prisma');
    assert.strictEqual(f.clients[0].timeouts.statement_timeout, '5000');
    assert.strictEqual(f.clients[0].poolSize, 5);
  });
});
