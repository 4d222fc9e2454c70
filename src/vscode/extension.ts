// Entry point. activate() only constructs and registers; every registration is owned by
// context.subscriptions. The parsers load with the first scan, not here, so activation stays cheap.
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as vscode from 'vscode';
import { PgreadyCodeActions } from './codeActions';
import { commandTable } from './commands';
import { DOCS_SCHEME } from './diagnostics';
import { RuleDocsProvider } from './docs';
import { ReportView } from './reportView';
import { ScoreStatusBar } from './statusBar';
import { ReadinessTreeProvider } from './treeView';
import { canConnect } from './trust';
import { WorkspaceAnalyzer } from './workspace';
import { ConnectionManager } from './connection/manager';
import { ExplainCodeLenses } from './explain/codeLens';
import { explainCommands } from './explain/commands';
import { PlanPanel } from './explain/panel';
import { ShadowDatabases } from './explain/shadow';
import { LiveChecks } from './live/checks';

export const VIEW_ID = 'pgready.readiness';

/** What activate() returns: the extension's API for tests and, later, other extensions. */
export interface PgreadyApi {
  analyzer: WorkspaceAnalyzer;
  tree: ReadinessTreeProvider;
  /** The live checks' results per folder and the last run's error. */
  live: LiveChecks;
  canConnect(): boolean;
  ready(): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): PgreadyApi {
  const t0 = performance.now();
  const analyzer = new WorkspaceAnalyzer((name) => path.join(__dirname, name));
  // Database features: connection (status bar, SecretStorage), live checks, shadow database, EXPLAIN lenses
  // and plan view. The live checks hook into every analysis, so they exist before the first scan starts.
  const connections = new ConnectionManager(context, analyzer.log);
  const live = new LiveChecks(analyzer, connections, analyzer.log);
  const tree = new ReadinessTreeProvider(analyzer, (state) => live.summary(state));
  let reportView: ReportView | undefined;
  const table = commandTable({
    analyzer,
    live: (state) => live.summary(state),
    version: String(context.extension.packageJSON.version ?? ''),
    reportView: () => (reportView ??= new ReportView(context.extensionUri, (format) => vscode.commands.executeCommand('pgready.saveReport', format))),
  });

  const shadows = new ShadowDatabases(analyzer.log);
  const explainDiagnostics = vscode.languages.createDiagnosticCollection('pgready-explain');
  let planPanel: PlanPanel | undefined;
  const explainTable = { ...connections.commands(), ...live.commands(), ...explainCommands({ analyzer, connections, shadows, diagnostics: explainDiagnostics, panel: () => (planPanel ??= new PlanPanel(context.extensionUri)) }) };
  const lenses = new ExplainCodeLenses(analyzer);
  context.subscriptions.push(
    connections,
    live,
    shadows,
    explainDiagnostics,
    lenses,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'vscode-remote' }], lenses),
    ...Object.entries(explainTable).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    { dispose: () => planPanel?.dispose() },
  );

  context.subscriptions.push(
    analyzer,
    tree,
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    new ScoreStatusBar(analyzer),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new PgreadyCodeActions(analyzer), PgreadyCodeActions.metadata),
    vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, new RuleDocsProvider()),
    ...Object.entries(table).map(([id, handler]) => vscode.commands.registerCommand(id, handler)),
    { dispose: () => reportView?.dispose() },
  );
  analyzer.start();
  analyzer.timings.activationMs = performance.now() - t0;
  return { analyzer, tree, live, canConnect, ready: () => analyzer.ready() };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
