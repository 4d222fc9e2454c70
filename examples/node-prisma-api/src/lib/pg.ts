import { Pool } from 'pg';

// Reporting queries go straight to PostgreSQL.
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
