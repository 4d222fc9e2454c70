// The overall readiness score in the status bar; a click focuses the readiness view.
import * as vscode from 'vscode';
import type { WorkspaceAnalyzer } from './workspace';

export class ScoreStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pgready.score', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;

  constructor(private readonly analyzer: WorkspaceAnalyzer) {
    this.item.name = 'pgready readiness';
    this.item.command = 'pgready.focusView';
    this.sub = analyzer.onDidAnalyze(() => this.refresh());
  }

  refresh(): void {
    const results = this.analyzer.folderStates().flatMap((s) => (s.result ? [s.result] : []));
    if (!this.analyzer.enabled || !results.length) {
      this.item.hide();
      return;
    }
    const scores = results.map((r) => r.readiness.overall).filter((s): s is number => s !== null);
    const overall = scores.length ? Math.min(...scores) : null;
    const findings = results.reduce((n, r) => n + r.findings.filter((f) => !f.strength).length, 0);
    this.item.text = `$(database) ${overall === null ? 'pgready: unknown' : `pgready ${overall}/100`}`;
    this.item.tooltip = `PostgreSQL production readiness: ${overall ?? 'unknown'}/100, ${findings} findings. Click to open the readiness view.`;
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
