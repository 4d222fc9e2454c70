import { Router } from 'express';
import { Prisma } from '@prisma/client';
import { prisma } from '../lib/prisma';
import { pool } from '../lib/pg';
import { db } from '../lib/knex';

export const reports = Router();

const SORTS: Record<string, string> = { newest: 'created_at DESC', oldest: 'created_at ASC' };

reports.get('/reports/by-status', async (req, res) => {
  const status = String(req.query.status);
  const rows = await prisma.$queryRawUnsafe(`SELECT id, title FROM posts WHERE status = '${status}'`);
  res.json(rows);
});

reports.get('/reports/by-author', async (req, res) => {
  const rows = await prisma.$queryRaw<{ id: number }[]>`SELECT id FROM posts WHERE author_id = ${Number(req.query.author)}`;
  res.json(rows);
});

reports.get('/reports/sorted', async (req, res) => {
  const order = SORTS[String(req.query.sort)] ?? SORTS.newest;
  const rows = await prisma.$queryRaw(Prisma.sql`SELECT id FROM posts ORDER BY ${Prisma.raw(order)} LIMIT 50`);
  res.json(rows);
});

reports.get('/reports/user/:name', async (req, res) => {
  const { rows } = await pool.query('SELECT id, email FROM users WHERE username = ' + "'" + req.params.name + "'");
  res.json(rows);
});

reports.get('/reports/user-safe/:name', async (req, res) => {
  const { rows } = await pool.query('SELECT id, email FROM users WHERE email = $1', [req.params.name]);
  res.json(rows);
});

reports.get('/reports/tags', async (req, res) => {
  const rows = await db('tags').whereILike('name', `%${String(req.query.q)}%`).limit(20);
  res.json(rows);
});

reports.get('/reports/raw', async (req, res) => {
  const rows = await db.raw(`SELECT count(*) FROM comments WHERE body LIKE '%${req.query.q}%'`);
  res.json(rows);
});
