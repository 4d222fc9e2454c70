import type { Frontend } from '../frontend';

// PLACEHOLDER until the config front end lands.
export const configFrontend: Frontend = {
  language: 'config',
  accepts: () => false,
  extract() {},
};
