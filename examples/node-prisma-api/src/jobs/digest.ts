import { prisma } from '../lib/prisma';
import { authorsByIds } from '../services/authors';

// Weekly digest: the correct, batched pattern (one query for all authors).
export async function buildDigest() {
  const recent = await prisma.post.findMany({ where: { status: 'published' }, orderBy: { createdAt: 'desc' }, take: 100 });
  const authors = await authorsByIds(recent.map((p) => p.authorId));
  return recent.map((p) => ({ title: p.title, author: authors.get(p.authorId)?.username }));
}

// Paginated export: a page per iteration, on purpose.
export async function exportAll(handle: (rows: unknown[]) => Promise<void>) {
  let cursor = 0;
  while (true) {
    const page = await prisma.post.findMany({ where: { id: { gt: cursor } }, orderBy: { id: 'asc' }, take: 500 });
    if (!page.length) break;
    await handle(page);
    cursor = page[page.length - 1].id;
  }
}
