import { defineRule } from '../rule';

export default defineRule({
  id: 'parse-error',
  category: 'schema',
  severity: 'info',
  scored: false,
  summary: 'A file could not be read or parsed; it was skipped and the run went on.',
  docs: {
    what: 'Reports files pgready skipped: syntax errors, binary files, files over the size cap, invalid encodings.',
    why: 'A skipped file is analysed by no rule, so its problems stay hidden; the note makes the gap visible.',
    instead: 'Fix the syntax error, or add the path to "ignore" in .pgready.json if it is not application code.',
  },
  examples: {
    bad: { 'app/broken.py': 'def broken(:\n    pass\n' },
    good: { 'app/fine.py': 'def fine():\n    pass\n' },
  },
  check(ctx) {
    for (const p of ctx.facts.problems) {
      ctx.report({
        message: `${p.file}: ${p.message}`,
        help: 'This file was skipped; fix it or add it to "ignore" in .pgready.json.',
        span: p.span,
        key: `${p.file}:${p.message}`,
      });
    }
  },
});
