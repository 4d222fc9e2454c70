// Quick fixes: the engine's `finding.fix` as a WorkspaceEdit (new files created, e.g. an Alembic revision),
// plus "Ignore <rule> on this line", which inserts the language's inline-ignore comment above the line.
import * as vscode from 'vscode';
import type { Fix } from '../engine';
import { DIAGNOSTIC_SOURCE, findingFor } from './diagnostics';
import { ignoreEdit } from './ignore';
import type { FolderState, WorkspaceAnalyzer } from './workspace';

export class PgreadyCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly analyzer: WorkspaceAnalyzer) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (!ours.length) return [];
    // During a rescan (settings or .pgready.json changed) the folder has no result yet: wait for it.
    await this.analyzer.ready();
    const found = this.analyzer.findings(doc.uri);
    if (!found) return [];
    const text = doc.getText();
    // Offsets are only valid for the text the engine saw; while a re-analysis is pending, offer no fix.
    const upToDate = found.state.engine.text(found.rel) === text;
    const actions: vscode.CodeAction[] = [];
    for (const diag of ours) {
      const code = typeof diag.code === 'object' ? String(diag.code.value) : String(diag.code ?? '');
      const r = diag.range;
      const finding = findingFor(found.findings, found.rel, {
        code,
        message: diag.message,
        range: { startLine: r.start.line, startCharacter: r.start.character, endLine: r.end.line, endCharacter: r.end.character },
      });
      if (finding?.fix && upToDate) {
        const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = this.toWorkspaceEdit(found.state, finding.fix);
        action.diagnostics = [diag];
        action.isPreferred = true;
        actions.push(action);
      }
      // Live findings (`live-…`) come from the database, not from this line's code: a comment cannot silence them.
      if (code.startsWith('live-')) continue;
      const ignore = new vscode.CodeAction(`Ignore ${code} on this line`, vscode.CodeActionKind.QuickFix);
      const e = ignoreEdit(found.rel, text, r.start.line, code);
      ignore.edit = new vscode.WorkspaceEdit();
      ignore.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
      ignore.diagnostics = [diag];
      actions.push(ignore);
    }
    return actions;
  }

  /** Engine TextEdits (UTF-16 offsets into the engine's copy of each file) as one WorkspaceEdit. */
  toWorkspaceEdit(state: FolderState, fix: Fix): vscode.WorkspaceEdit {
    const edit = new vscode.WorkspaceEdit();
    for (const e of fix.edits) {
      const uri = this.analyzer.uriOf(state, e.file);
      if (e.create) {
        edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(e.newText) });
        continue;
      }
      const lines = state.engine.lines(e.file);
      if (!lines) continue;
      const pos = (offset: number) => {
        const p = lines.position(offset);
        return new vscode.Position(p.line - 1, p.column - 1);
      };
      edit.replace(uri, new vscode.Range(pos(e.start), pos(e.end)), e.newText);
    }
    return edit;
  }
}
