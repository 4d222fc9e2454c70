// The one import surface of the engine for the CLI, the VS Code extension, the database layer and tests.
export * from './types';
export * from './facts';
export { LineIndex, fnv1a64, normalizeCode } from './text';
export { defineRule, type Rule, type RuleContext, type RuleDocs, type RuleExamples, type Report } from './rule';
export { RULES, ruleById } from './rules';
export { Engine, analyzeFiles, initEngine, type AnalysisResult, type InitOptions, type SourceFile } from './engine';
export { computeReadiness, TARGET_SCORE, SEVERITY_WEIGHT, REPOSITORY_WEIGHT, type Readiness, type CategoryScore } from './score';
export { defaultSettings, parseSettings, DEFAULT_IGNORES, type Settings, type RuleLevel } from './settings';
export { isAnalysable } from './sources';
export { matchesAny } from './glob';
export * from './report';
export * from './explain';
export * from './live';
export { parseStatements, rewritePlaceholders, type ParsedStatement } from './sources/sql/statements';
