import type { Rule } from '../rule';
import parseError from './parse-error';

/** The registry: every rule, sorted by id. Adding a rule = its file + one line here + a fixture folder. */
export const RULES: readonly Rule[] = [
  parseError,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
