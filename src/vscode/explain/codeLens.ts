// "EXPLAIN" / "EXPLAIN ANALYZE" above every SQL statement the engine recognised in a file. The lenses follow
// the engine's copy of the file, so they refresh after each analysis; while the editor has edits the engine
// has not seen yet (the debounce), the file's lenses are left out rather than put on stale lines. In an
// untrusted workspace one lens per statement says why EXPLAIN is unavailable.
import * as vscode from 'vscode';
import { canConnect } from '../trust';
import type { WorkspaceAnalyzer } from '../workspace';
import { lensSites, sqlTitle } from './lenses';

export class ExplainCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly analyzer: WorkspaceAnalyzer) {
    this.subs = [this.emitter, analyzer.onDidAnalyze(() => this.emitter.fire()), vscode.workspace.onDidGrantWorkspaceTrust(() => this.emitter.fire())];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const loc = this.analyzer.locate(doc.uri);
    if (!loc || loc.state.engine.text(loc.rel) !== doc.getText()) return [];
    const trusted = canConnect();
    const out: vscode.CodeLens[] = [];
    for (const site of lensSites(loc.state.engine.facts().sqlSites, loc.rel)) {
      const range = new vscode.Range(site.range.startLine, site.range.startCharacter, site.range.endLine, site.range.endCharacter);
      const arg = { uri: doc.uri.toString(), range: site.range, sql: site.sql };
      if (!trusted) {
        out.push(
          new vscode.CodeLens(range, {
            title: 'EXPLAIN unavailable in Restricted Mode',
            tooltip: 'pgready does not connect to a database or build the embedded one in an untrusted workspace. Trust the workspace to EXPLAIN.',
            command: 'workbench.trust.manage',
          }),
        );
        continue;
      }
      out.push(
        new vscode.CodeLens(range, { title: 'EXPLAIN', tooltip: `EXPLAIN ${sqlTitle(site.sql, 200)}`, command: 'pgready.explain', arguments: [arg] }),
        new vscode.CodeLens(range, {
          title: 'EXPLAIN ANALYZE',
          tooltip: 'Runs the statement inside a transaction that is always rolled back',
          command: 'pgready.explainAnalyze',
          arguments: [arg],
        }),
      );
    }
    return out;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
