export { type ReportInput } from './common';
export { renderText, type TextOptions } from './text';
export { renderMarkdown } from './markdown';
export { renderJson, toJsonReport, type JsonReport, type JsonFinding } from './json';
export { renderSarif, toSarif } from './sarif';
export { effortFor, EFFORT_LABELS, RULE_EFFORT, type Effort } from './effort';

export const REPORT_FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
