import { Router } from 'express';
import { prisma } from '../lib/prisma';
import { authorName } from '../services/authors';

export const posts = Router();

posts.get('/posts', async (req, res) => {
  const page = await prisma.post.findMany({ where: { status: 'published' }, orderBy: { createdAt: 'desc' }, take: 20 });
  const out = [];
  for (const post of page) {
    const author = await prisma.user.findUnique({ where: { id: post.authorId } });
    out.push({ ...post, author: author?.username });
  }
  res.json(out);
});

posts.get('/posts/with-authors', async (req, res) => {
  const page = await prisma.post.findMany({ where: { status: 'published' }, include: { author: true, tags: true }, orderBy: { createdAt: 'desc' }, take: 20 });
  res.json(page);
});

posts.get('/posts/:id/comments', async (req, res) => {
  const comments = await prisma.comment.findMany({ where: { postId: Number(req.params.id) } });
  const withAuthors = await Promise.all(
    comments.map(async (c) => ({ ...c, author: await prisma.user.findUnique({ where: { id: c.authorId } }) })),
  );
  res.json(withAuthors);
});

posts.get('/search', async (req, res) => {
  const q = String(req.query.q ?? '');
  const found = await prisma.post.findMany({ where: { title: { contains: q, mode: 'insensitive' } }, take: 20 });
  res.json(found);
});

posts.get('/tags/:slug', async (req, res) => {
  const tags = await prisma.tag.findMany({ where: { slug: req.params.slug } });
  res.json(tags);
});

posts.get('/feed', async (req, res) => {
  const page = await prisma.post.findMany({ where: { status: 'published' }, take: 50 });
  const names = [];
  for (const p of page) names.push(await authorName(p.authorId));
  res.json(names);
});
