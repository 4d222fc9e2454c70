import type { Frontend } from '../frontend';
import { extractClients } from './clients';
import { makeContext } from './context';
import { extractDrizzle } from './drizzle';
import { extractFunctions } from './functions';
import { extractKnex } from './knex';
import { acceptsTs, parseTs } from './parser';
import { extractRawSinks } from './pg';
import { extractPrismaClient, extractPrismaTagged, usesPrisma } from './prisma-client';
import { extractSequelize } from './sequelize';
import { extractTypeorm } from './typeorm';

// The TypeScript/JavaScript front end: one compiler-API parse per file (the compiler is loaded on the first
// TS/JS file), its calls collected once, then each ORM extractor reads the same tree. Functions come last:
// whether a function queries is read from the query sites found before it.

export const typescriptFrontend: Frontend = {
  language: 'typescript',
  accepts: acceptsTs,
  extract({ path, text, lines, settings }, facts) {
    if (!/\b(prisma|pg|Pool|Client|knex|typeorm|sequelize|drizzle|query|raw|sql|Entity|Table|pgTable|createTable|queryInterface|queryRunner|findAll|findByPk|findAndCountAll|createQueryBuilder|getRepository)\b/.test(text)) return;
    const sf = parseTs(path, text);
    const diags = (sf as unknown as { parseDiagnostics?: { start?: number; messageText: unknown }[] }).parseDiagnostics ?? [];
    if (diags.length) {
      const d = diags[0];
      const at = d.start ?? 0;
      const span = lines.span(path, at, Math.min(at + 1, text.length));
      const msg = typeof d.messageText === 'string' ? d.messageText : 'syntax error';
      facts.problems.push({ file: path, message: `TypeScript syntax error at line ${span.line}: ${msg}; file skipped`, line: span.line, column: span.column, span });
      return;
    }
    const ctx = makeContext(path, text, lines, sf, settings);
    if (usesPrisma(ctx)) {
      extractPrismaClient(ctx, facts);
      extractPrismaTagged(ctx, facts);
    }
    extractTypeorm(ctx, facts);
    extractSequelize(ctx, facts);
    extractKnex(ctx, facts);
    extractDrizzle(ctx, facts);
    extractRawSinks(ctx, facts);
    extractClients(ctx, facts);
    extractFunctions(ctx, facts);
  },
};
