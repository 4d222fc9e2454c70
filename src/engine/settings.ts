import type { Severity } from './types';

/** A rule's configured level: off, or a severity that replaces the rule's default. */
export type RuleLevel = 'off' | Severity;

/** Engine settings: what `.pgready.json` and the VS Code settings map onto. */
export interface Settings {
  /** Per-rule overrides by rule id. */
  rules: Record<string, RuleLevel>;
  /** Glob patterns (relative to the root, `/` separators) of files to skip. */
  ignore: string[];
  /** The PostgreSQL major version the project targets; version-aware rules read it. */
  postgresVersion: number;
  /** Files larger than this are noted and skipped. */
  maxFileBytes: number;
}

export const DEFAULT_IGNORES = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.venv/**',
  '**/venv/**',
  '**/__pycache__/**',
  '**/dist/**',
  '**/build/**',
  '**/.mypy_cache/**',
  '**/.pytest_cache/**',
  '**/site-packages/**',
];

export function defaultSettings(): Settings {
  return { rules: {}, ignore: [], postgresVersion: 15, maxFileBytes: 2 * 1024 * 1024 };
}

/**
 * Validates and merges a parsed `.pgready.json` over defaults. Throws an Error with a one-line message
 * naming the bad key, so the CLI can print it and exit 2.
 */
export function parseSettings(raw: unknown, base: Settings = defaultSettings()): Settings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('config must be a JSON object');
  const out: Settings = { ...base, rules: { ...base.rules }, ignore: [...base.ignore] };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    switch (key) {
      case 'rules':
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('"rules" must be an object of rule id → "off" | "error" | "warning" | "info"');
        for (const [id, level] of Object.entries(value as Record<string, unknown>)) {
          if (level !== 'off' && level !== 'error' && level !== 'warning' && level !== 'info') {
            throw new Error(`"rules.${id}" must be "off", "error", "warning" or "info"`);
          }
          out.rules[id] = level;
        }
        break;
      case 'ignore':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error('"ignore" must be an array of glob strings');
        out.ignore.push(...(value as string[]));
        break;
      case 'postgresVersion':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 9 || value > 30) throw new Error('"postgresVersion" must be a major version number such as 15');
        out.postgresVersion = value;
        break;
      case 'maxFileBytes':
        if (typeof value !== 'number' || value <= 0) throw new Error('"maxFileBytes" must be a positive number');
        out.maxFileBytes = value;
        break;
      case '$schema':
        break;
      default:
        throw new Error(`unknown config key "${key}" (expected rules, ignore, postgresVersion, maxFileBytes)`);
    }
  }
  return out;
}
