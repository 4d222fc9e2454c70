import { UsageError } from './args';
import { runExplain } from './explain';
import { REPORT_USAGE, runReport } from './report';
import { runRule, runRules } from './rules';
import { VERSION } from './version';

const USAGE = `pgready ${VERSION} — PostgreSQL production-readiness review

Usage:
  pgready report [path] [options]   analyse a project and print a readiness report
  pgready rules                     list the rules
  pgready rule <id>                 show one rule's documentation
  pgready explain …                 explain a query plan
  pgready --version | --help

${REPORT_USAGE.split('\n').slice(4).join('\n')}`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    case '-v':
    case '--version':
    case 'version':
      process.stdout.write(VERSION + '\n');
      return 0;
    case 'report':
      return runReport(rest);
    case 'rules':
      return runRules();
    case 'rule':
      return runRule(rest);
    case 'explain':
      return runExplain(rest);
    default:
      throw new UsageError(`unknown command: ${command} (see pgready --help)`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Usage and I/O problems are one line; an internal error adds its stack only when asked (PGREADY_DEBUG=1).
    const message = e instanceof UsageError ? e.message : `internal error: ${(process.env.PGREADY_DEBUG && (e as Error)?.stack) || ((e as Error)?.message ?? e)}`;
    process.stderr.write(`pgready: ${message}\n`);
    process.exitCode = 2;
  },
);
