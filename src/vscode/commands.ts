// Every command pgready contributes: a table id → handler. extension.ts registers the table.
import * as vscode from 'vscode';
import { RULES, renderJson, renderMarkdown, renderSarif, type LiveSummary, type ReportInput } from '../engine';
import { docsUri } from './diagnostics';
import type { ReportView, SaveFormat } from './reportView';
import type { FolderState, WorkspaceAnalyzer } from './workspace';

export interface CommandDeps {
  analyzer: WorkspaceAnalyzer;
  reportView: () => ReportView;
  version: string;
  /** The live checks merged into a folder's result, for the report's database section. */
  live?: (state: FolderState) => LiveSummary | undefined;
}

export type CommandTable = Record<string, (...args: any[]) => unknown>;

const EXTENSION: Record<SaveFormat, string> = { markdown: 'md', json: 'json', sarif: 'sarif' };

/** The folder a command acts on: the active editor's, else the first analysed one. */
async function currentState(analyzer: WorkspaceAnalyzer): Promise<FolderState | undefined> {
  await analyzer.ready();
  const active = vscode.window.activeTextEditor?.document.uri;
  const loc = active && analyzer.locate(active);
  return loc?.state.result ? loc.state : analyzer.folderStates().find((s) => s.result);
}

function reportInput(state: FolderState, version: string, live?: LiveSummary): ReportInput {
  return { result: state.result!, root: state.folder.name, version, live };
}

export function render(format: SaveFormat, input: ReportInput): string {
  return format === 'markdown' ? renderMarkdown(input) : format === 'json' ? renderJson(input) : renderSarif(input);
}

export function commandTable(deps: CommandDeps): CommandTable {
  const { analyzer, version } = deps;

  const saveReport = async (format?: SaveFormat, target?: vscode.Uri | string): Promise<string | undefined> => {
    const state = await currentState(analyzer);
    if (!state) {
      void vscode.window.showInformationMessage('pgready: nothing analysed yet.');
      return undefined;
    }
    if (!format) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: 'Markdown (.md)', format: 'markdown' as const },
          { label: 'JSON (.json)', format: 'json' as const },
          { label: 'SARIF (.sarif)', format: 'sarif' as const },
        ],
        { title: 'Save the readiness report as' },
      );
      if (!pick) return undefined;
      format = pick.format;
    }
    let uri = typeof target === 'string' ? vscode.Uri.file(target) : target;
    if (!uri) {
      uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(state.folder.uri, `pgready-report.${EXTENSION[format]}`),
        filters: { [format.toUpperCase()]: [EXTENSION[format]] },
      });
      if (!uri) return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(render(format, reportInput(state, version, deps.live?.(state)))));
    if (!target) void vscode.window.showInformationMessage(`pgready: report saved to ${vscode.workspace.asRelativePath(uri)}`);
    return uri.fsPath;
  };

  return {
    'pgready.analyzeWorkspace': async () => {
      await analyzer.rescan('command');
      return analyzer.folderStates().reduce((n, s) => n + (s.result?.findings.length ?? 0), 0);
    },

    /** Opens the report webview and returns the Markdown it shows (tests read it). */
    'pgready.showReport': async (): Promise<string | undefined> => {
      const state = await currentState(analyzer);
      if (!state) {
        void vscode.window.showInformationMessage('pgready: nothing analysed yet — open a folder with models, migrations or SQL.');
        return undefined;
      }
      const markdown = renderMarkdown(reportInput(state, version, deps.live?.(state)));
      deps.reportView().show(markdown, state.folder.name);
      return markdown;
    },

    'pgready.saveReport': saveReport,

    // From the palette (no argument), a tree rule node's menu (the node) or a caller (the rule id).
    'pgready.showRuleDocs': async (arg?: string | { rule?: string }) => {
      let rule = typeof arg === 'string' ? arg : arg?.rule;
      if (!rule) {
        const pick = await vscode.window.showQuickPick(
          RULES.map((r) => ({ label: r.id, description: r.category, detail: r.summary })),
          { title: 'pgready: rule documentation', matchOnDetail: true },
        );
        if (!pick) return undefined;
        rule = pick.label;
      }
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(docsUri(rule)));
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc.getText();
    },

    'pgready.focusView': () => vscode.commands.executeCommand('pgready.readiness.focus'),
  };
}
