/** A usage or I/O problem: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positionals: string[];
  /** Value flags (`--format json`, `--format=json`); the last occurrence wins. */
  values: Map<string, string>;
  /** Boolean flags (`--no-color`). */
  flags: Set<string>;
}

/**
 * Parses `argv` against the flags a command accepts. Unknown flags and missing values are usage errors,
 * so a typo never silently changes what a CI gate checks.
 */
export function parseArgs(argv: string[], spec: { values: string[]; flags: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^--?/, '');
    if (spec.flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      out.values.set(name, value);
    } else {
      throw new UsageError(`unknown option: ${arg.slice(0, eq >= 0 ? eq : undefined)}`);
    }
  }
  return out;
}

/** One of `choices` (undefined when the flag is absent), or a usage error naming them. */
export function choice<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${choices.join(', ')} (got "${value}")`);
}
