import knex from 'knex';

export const db = knex({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: {
    min: 1,
    max: 5,
    afterCreate: (conn: any, done: (err: Error | null, conn: any) => void) => {
      conn.query('SET statement_timeout = 5000; SET idle_in_transaction_session_timeout = 60000', (err: Error | null) => done(err, conn));
    },
  },
});
