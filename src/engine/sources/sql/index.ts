import type { Frontend } from '../frontend';

// PLACEHOLDER until the SQL front end lands.
export const sqlFrontend: Frontend = {
  language: 'sql',
  accepts: (path) => path.endsWith('.sql'),
  extract() {},
};
