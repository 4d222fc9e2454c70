import { Router } from 'express';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'crypto';
import { prisma } from '../lib/prisma';

export const users = Router();

users.post('/signup', async (req, res) => {
  const { email, username, password } = req.body;
  const taken = await prisma.user.findFirst({ where: { username } });
  if (taken) return res.status(409).json({ error: 'username taken' });
  const user = await prisma.user.create({ data: { email, username, passwordHash: await bcrypt.hash(password, 12) } });
  res.json({ id: user.id });
});

users.post('/password-reset', async (req, res) => {
  const token = randomBytes(32).toString('hex');
  await prisma.user.update({ where: { email: req.body.email }, data: { resetToken: token } });
  res.json({ ok: true });
});

users.get('/users/by-email', async (req, res) => {
  const user = await prisma.user.findUnique({ where: { email: String(req.query.email) } });
  res.json(user);
});
