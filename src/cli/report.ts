import * as fs from 'fs';
import * as path from 'path';
import { Engine, REPORT_FORMATS, renderJson, renderMarkdown, renderSarif, renderText, type AnalysisResult, type ReportInput, type Settings } from '../engine';
import { choice, parseArgs, UsageError } from './args';
import { loadSettings } from './config';
import { listFiles, readText, type SkipNote } from './files';
import { initParsers } from './init';
import { Progress } from './progress';
import { VERSION } from './version';
import { liveChecksForCli } from '../db/live-report';

export const REPORT_USAGE = `Usage: pgready report [path] [options]

Analyses a project (default: the current folder) and prints a readiness report.

Options:
  --format text|markdown|json|sarif   output format (default: text)
  --output FILE                       write the report to FILE instead of stdout
  --fail-under SCORE                  exit 1 if the overall score is below SCORE (0–100)
  --fail-on error|warning             exit 1 if any finding is at least this severe
  --config FILE                       settings file (default: <path>/.pgready.json if present)
  --no-color                          no ANSI colours in the text report
  --db URL                            also run the live checks on this database (read-only); --db env reads DATABASE_URL
  --workers N                         with --db: application worker processes, each with its own pools (default 4)

Exit codes: 0 clean, 1 a threshold failed, 2 usage or I/O error.`;

/** `pgready report`: returns the exit code. */
export async function runReport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['format', 'output', 'fail-under', 'fail-on', 'config', 'db', 'workers'], flags: ['no-color', 'help'] });
  if (args.flags.has('help')) {
    process.stdout.write(REPORT_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length > 1) throw new UsageError(`report takes one path (got ${args.positionals.length})`);
  const format = choice('format', args.values.get('format'), REPORT_FORMATS) ?? 'text';
  const failOn = choice('fail-on', args.values.get('fail-on'), ['error', 'warning'] as const);
  const failUnder = parseScore(args.values.get('fail-under'));

  const target = path.resolve(args.positionals[0] ?? '.');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`path does not exist: ${args.positionals[0] ?? '.'}`);
  }
  const output = args.values.get('output');
  if (output && !fs.existsSync(path.dirname(path.resolve(output)))) throw new UsageError(`cannot write ${output}: its folder does not exist`);
  const root = stat.isDirectory() ? target : path.dirname(target);
  const { settings } = loadSettings(root, args.values.get('config'));

  await initParsers();
  const progress = new Progress();
  const staticResult = analyse(root, stat.isDirectory() ? undefined : path.basename(target), settings, progress);
  progress.done();
  // --db: live checks confirm, clear and add findings (src/db/live-report.ts); a connection failure is exit 2.
  const live = args.values.has('db') ? await liveChecksForCli(staticResult, args.values.get('db')!, args.values.get('workers')).catch((e: Error) => { throw new UsageError(`live checks: ${e.message}`); }) : undefined;
  const result = live?.result ?? staticResult;

  const input: ReportInput = { result, root: path.basename(root), version: VERSION, live: live?.live };
  const color = format === 'text' && !output && !args.flags.has('no-color') && !!process.stdout.isTTY && !process.env.NO_COLOR;
  const rendered =
    format === 'markdown' ? renderMarkdown(input) : format === 'json' ? renderJson(input) : format === 'sarif' ? renderSarif(input) : renderText(input, { color });
  if (output) {
    try {
      fs.writeFileSync(output, rendered);
    } catch (e) {
      throw new UsageError(`cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else {
    process.stdout.write(rendered);
  }
  return exitCode(result, failUnder, failOn);
}

/** Reads the project into a one-shot Engine and analyses it. */
function analyse(root: string, single: string | undefined, settings: Settings, progress: Progress): AnalysisResult {
  const engine = new Engine(settings);
  progress.update('listing files…');
  const { candidates, notes } = single
    ? { candidates: [{ rel: single, abs: path.join(root, single), size: 0 }], notes: [] as SkipNote[] }
    : listFiles(root, settings);
  candidates.forEach((c, i) => {
    progress.update(`parsing ${i + 1}/${candidates.length} files…`);
    const read = readText(c);
    if ('skip' in read) notes.push({ file: c.rel, message: read.skip });
    else engine.setFile(c.rel, read.text);
  });
  progress.update('checking rules…');
  // Files skipped before the engine saw them become parse-error notes like the engine's own.
  for (const n of notes) engine.noteSkipped(n.file, n.message);
  return engine.analyze();
}

function exitCode(result: AnalysisResult, failUnder: number | undefined, failOn: 'error' | 'warning' | undefined): number {
  const issues = result.findings.filter((f) => !f.strength);
  if (failOn && issues.some((f) => f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning'))) return 1;
  const overall = result.readiness.overall;
  if (failUnder !== undefined && overall !== null && overall < failUnder) return 1;
  if (failUnder !== undefined && overall === null) process.stderr.write('pgready: note: no score (nothing to judge), --fail-under not applied\n');
  return 0;
}

function parseScore(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`--fail-under must be a number from 0 to 100 (got "${value}")`);
  return n;
}
