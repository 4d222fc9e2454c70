import { prisma } from '../lib/prisma';

export async function authorName(id: number): Promise<string | undefined> {
  const user = await prisma.user.findUnique({ where: { id }, select: { username: true } });
  return user?.username;
}

export async function authorsByIds(ids: number[]) {
  const users = await prisma.user.findMany({ where: { id: { in: ids } } });
  return new Map(users.map((u) => [u.id, u]));
}
