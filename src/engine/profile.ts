// Opt-in timing of the engine's phases (`PGREADY_PROFILE=1`): per front-end extractor and per rule, in CPU
// milliseconds (on a shared machine wall time mostly measures the neighbours). Printed to stderr by the CLI's
// analysis (Engine.analyze). Off by default; then `timed` is a plain call.

declare const process: { env: Record<string, string | undefined>; cpuUsage(): { user: number; system: number } } | undefined;

export const PROFILING = typeof process !== 'undefined' && !!process?.env?.PGREADY_PROFILE && process.env.PGREADY_PROFILE !== '0';

const totals = new Map<string, { ms: number; calls: number }>();

function cpuMs(): number {
  const u = process!.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `fn`, charging its CPU time to `key` when profiling. */
export function timed<T>(key: string, fn: () => T): T {
  if (!PROFILING) return fn();
  const t0 = cpuMs();
  try {
    return fn();
  } finally {
    const t = totals.get(key) ?? { ms: 0, calls: 0 };
    t.ms += cpuMs() - t0;
    t.calls++;
    totals.set(key, t);
  }
}

/** The accumulated timings, largest first, as text lines; `reset` clears them. */
export function profileReport(reset = true): string {
  const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
  if (reset) totals.clear();
  return rows.map(([k, t]) => `${t.ms.toFixed(1).padStart(10)} ms ${String(t.calls).padStart(7)}×  ${k}`).join('\n');
}
