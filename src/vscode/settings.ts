// The one place `pgready.*` settings are read and mapped to engine Settings, merged over `.pgready.json`.
// Pure apart from the type of the configuration object, so the mapping is unit-tested without an editor.
import { defaultSettings, parseSettings, type RuleLevel, type Settings } from '../engine';

export interface EditorSettings {
  enable: boolean;
  rules: Record<string, RuleLevel>;
  exclude: string[];
  /** null: take it from `.pgready.json`, else the engine's default. */
  postgresVersion: number | null;
}

/** The subset of vscode.WorkspaceConfiguration this module reads. */
export interface ConfigurationLike {
  get<T>(section: string): T | undefined;
}

const LEVELS = new Set(['off', 'error', 'warning', 'info']);

/** Reads `pgready.*` once; invalid values are dropped (VS Code's schema already warns the user about them). */
export function readEditorSettings(config: ConfigurationLike): EditorSettings {
  const rulesRaw = config.get<Record<string, unknown>>('rules') ?? {};
  const rules: Record<string, RuleLevel> = {};
  if (rulesRaw && typeof rulesRaw === 'object') {
    for (const [id, level] of Object.entries(rulesRaw)) if (typeof level === 'string' && LEVELS.has(level)) rules[id] = level as RuleLevel;
  }
  const exclude = (config.get<unknown[]>('exclude') ?? []).filter((g): g is string => typeof g === 'string' && g.length > 0);
  const pg = config.get<unknown>('postgresVersion');
  return {
    enable: config.get<boolean>('enable') !== false,
    rules,
    exclude,
    postgresVersion: typeof pg === 'number' && Number.isInteger(pg) && pg >= 9 && pg <= 30 ? pg : null,
  };
}

/**
 * Engine settings for one folder: defaults, then `.pgready.json` (its text, if the folder has one), then the
 * editor settings on top (rule levels override, excludes add up). A broken `.pgready.json` is reported in
 * `error` and ignored, so the editor keeps working while the user fixes it.
 */
export function engineSettings(editor: EditorSettings, pgreadyJson?: string): { settings: Settings; error?: string } {
  let base = defaultSettings();
  let error: string | undefined;
  if (pgreadyJson !== undefined) {
    try {
      base = parseSettings(JSON.parse(pgreadyJson));
    } catch (e) {
      error = `.pgready.json: ${(e as Error).message}`;
    }
  }
  return {
    settings: {
      ...base,
      rules: { ...base.rules, ...editor.rules },
      ignore: [...base.ignore, ...editor.exclude],
      postgresVersion: editor.postgresVersion ?? base.postgresVersion,
    },
    error,
  };
}

export interface LiveSettings {
  /** Run the live checks when pgready connects to a database (never on one that looks like production). */
  onConnect: boolean;
  /** Application worker processes, each with its own pools (the connections check; the CLI's --workers). */
  workers: number | undefined;
}

/** Reads `pgready.liveChecks.*`. */
export function readLiveSettings(config: ConfigurationLike): LiveSettings {
  const workers = config.get<unknown>('liveChecks.workers');
  return {
    onConnect: config.get<boolean>('liveChecks.onConnect') === true,
    workers: typeof workers === 'number' && Number.isInteger(workers) && workers >= 1 ? workers : undefined,
  };
}
