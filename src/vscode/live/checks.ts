// "Run Live Checks": the CLI's live readiness checks (`pgready report --db`, src/db/live-report.ts) against
// the connected database. Their results are merged into the folder's analysis the way the CLI merges them,
// so they reach everything static findings reach: the tree's category scores (basis: database), diagnostics
// on the migration or model line a live finding names, the status bar and the report. They are merged again
// after every later analysis (an edit keeps them on the right lines) until the session they ran against
// closes (Disconnect, other connection settings): then the scores are static again.
// The checks open their own read-only session (application_name pgready, statement_timeout: the db layer's
// connect), so they never queue behind or interleave with EXPLAIN. Nothing here runs in Restricted Mode.
import * as vscode from 'vscode';
import { mergeLive, type AnalysisResult, type LiveResults, type LiveSummary } from '../../engine';
import { DbError } from '../../db/connection';
import { collectLiveChecks } from '../../db/live-report';
import type { ConnectionManager, Session } from '../connection/manager';
import { readLiveSettings } from '../settings';
import { canConnect } from '../trust';
import type { FolderState, WorkspaceAnalyzer } from '../workspace';
import { looksLikeProduction } from './production';

interface Entry {
  /** The session the checks ran against (its URL): the results go when that session closes. */
  url: string;
  results: LiveResults;
  /** The latest merge's summary: the report's database section and the tree's "Database checks". */
  summary?: LiveSummary;
}

const keyOf = (state: FolderState) => state.folder.uri.toString();

export class LiveChecks implements vscode.Disposable {
  /** By workspace folder URI, so results outlive a rescan (which replaces the folder states). */
  private readonly entries = new Map<string, Entry>();
  /** Each state's latest result before the merge: what the checks confirm and clear. */
  private readonly statics = new WeakMap<FolderState, AnalysisResult>();
  private readonly running = new Map<string, Promise<LiveSummary | undefined>>();
  private readonly subs: vscode.Disposable[];
  /** The last run's failure as one line, or undefined after a success (host tests read it). */
  lastError?: string;

  constructor(
    private readonly analyzer: WorkspaceAnalyzer,
    private readonly connections: ConnectionManager,
    private readonly log: vscode.LogOutputChannel,
  ) {
    analyzer.setOverlay((state, result) => this.merge(state, result));
    this.subs = [connections.onDidChangeSession((s) => this.onSession(s))];
  }

  /** The live checks' summary as merged into the folder's current result, if they ran. */
  summary(state: FolderState): LiveSummary | undefined {
    return this.entries.get(keyOf(state))?.summary;
  }

  commands(): Record<string, (...args: any[]) => unknown> {
    return { 'pgready.runLiveChecks': (uri?: vscode.Uri | string) => this.run({ uri: typeof uri === 'string' ? vscode.Uri.parse(uri) : uri }) };
  }

  private merge(state: FolderState, result: AnalysisResult): AnalysisResult {
    this.statics.set(state, result);
    const entry = this.entries.get(keyOf(state));
    if (!entry) return result;
    const merged = mergeLive(result, entry.results);
    entry.summary = merged.live;
    return merged.result;
  }

  private onSession(session: Session | undefined): void {
    if (!session) {
      this.clear();
      return;
    }
    if (!readLiveSettings(vscode.workspace.getConfiguration('pgready')).onConnect) return;
    if (session.production || looksLikeProduction(session.label, session.db.label)) {
      this.log.info(`live checks: not run on connect to ${session.db.label}: it ${session.production ? 'is marked production' : 'looks like production'} (run them with "pgready: Run Live Checks")`);
      return;
    }
    void this.run({ auto: true });
  }

  /** Drops every folder's live results (the session closed): the folders are published static again. */
  private clear(): void {
    if (!this.entries.size) return;
    const keys = new Set(this.entries.keys());
    this.entries.clear();
    for (const state of this.analyzer.folderStates()) if (keys.has(keyOf(state)) && state.result) this.analyzer.reanalyze(state);
  }

  /** Runs the checks for the folder of `uri` (else the active editor's, else the first). One run per folder at a time. */
  async run(opts: { uri?: vscode.Uri; auto?: boolean } = {}): Promise<LiveSummary | undefined> {
    if (!canConnect()) {
      this.lastError = 'Restricted Mode: live checks are unavailable in an untrusted workspace';
      void vscode.window.showWarningMessage('pgready: live checks are unavailable in Restricted Mode — they connect to a database. Trust the workspace to use them.', 'Manage Workspace Trust').then((p) => {
        if (p) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    await this.analyzer.ready();
    const uri = opts.uri ?? vscode.window.activeTextEditor?.document.uri;
    const located = uri && this.analyzer.locate(uri)?.state;
    const state = located?.result ? located : this.analyzer.folderStates().find((s) => s.result);
    if (!state) {
      if (!opts.auto) void vscode.window.showInformationMessage('pgready: nothing analysed yet — open the project folder first.');
      return undefined;
    }
    const key = keyOf(state);
    const pending = this.running.get(key);
    if (pending) return pending;
    const run = this.runFor(state, !!opts.auto).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  private async runFor(state: FolderState, auto: boolean): Promise<LiveSummary | undefined> {
    let session = this.connections.connected;
    if (!session?.url) {
      // Connect the way EXPLAIN does (settings, or .env's DATABASE_URL once allowed); the embedded database
      // is no database to check.
      const target = await this.connections.target(state.folder);
      if (target.kind !== 'server') {
        this.lastError = 'no database connection';
        void vscode.window.showInformationMessage('pgready: live checks need a database connection (they check the database itself, not the embedded one built from your migrations).', 'Connect…').then((p) => {
          if (p) void vscode.commands.executeCommand('pgready.connect');
        });
        return undefined;
      }
      try {
        session = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `pgready: connecting to ${target.label}…` }, () => this.connections.sessionFor(target));
      } catch (e) {
        this.lastError = this.connections.reportError(e, target);
        return undefined;
      }
    }
    const url = session.url!;
    const where = session.db.label;
    const analysis = this.statics.get(state) ?? state.result!;
    const { workers } = readLiveSettings(vscode.workspace.getConfiguration('pgready'));
    this.log.info(`live checks: running on ${where}${auto ? ' (pgready.liveChecks.onConnect)' : ''}`);
    let results: LiveResults;
    try {
      results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `pgready: live checks on ${session.label}…` }, () =>
        collectLiveChecks(analysis, { connection: { url, statementTimeoutMs: this.connections.explainSettings.statementTimeoutMs }, workers }),
      );
    } catch (e) {
      const msg = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
      this.lastError = this.connections.reportError(new DbError(`Live checks failed: ${msg.replace(/\.$/, '')}.`));
      return undefined;
    }
    if (this.connections.connected?.url !== url) {
      // Disconnected (or switched databases) while the checks ran: these results describe no current connection.
      this.lastError = `the connection to ${where} closed while the live checks ran; results discarded`;
      this.log.warn(`live checks: ${this.lastError}`);
      return undefined;
    }
    this.entries.set(keyOf(state), { url, results });
    // A rescan may have replaced the state meanwhile: the folder's current one is re-published.
    const current = this.analyzer.folderStates().find((s) => keyOf(s) === keyOf(state));
    if (current?.result) this.analyzer.reanalyze(current);
    await this.analyzer.ready();
    const summary = this.entries.get(keyOf(state))?.summary;
    this.lastError = undefined;
    if (summary) {
      const problems = summary.checks.filter((c) => c.status === 'problem').length;
      const unknown = summary.checks.filter((c) => c.status === 'unknown').length;
      const line = `live checks on ${summary.source}: ${problems} of ${summary.checks.length} found problems${unknown ? `, ${unknown} could not judge` : ''}; ${summary.confirmed} finding${summary.confirmed === 1 ? '' : 's'} confirmed, ${summary.cleared.length} cleared, ${summary.added} new (${Math.round(summary.ms)} ms).`;
      this.log.info(line);
      void vscode.window.showInformationMessage(`pgready: ${line}`, 'Show Report').then((p) => {
        if (p) void vscode.commands.executeCommand('pgready.showReport');
      });
    }
    return summary;
  }

  dispose(): void {
    this.analyzer.setOverlay(undefined);
    for (const s of this.subs) s.dispose();
  }
}
