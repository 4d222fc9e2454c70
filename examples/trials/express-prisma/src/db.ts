import { PrismaClient } from "@prisma/client";
import { Pool } from "pg";

export const prisma = new PrismaClient({
  log: process.env.NODE_ENV === "development" ? ["query", "warn", "error"] : ["error"],
});

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
});
