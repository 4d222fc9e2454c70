// Renders the pure tree model (tree.ts) as a TreeDataProvider; a click on a location opens it.
import * as vscode from 'vscode';
import { docsUri } from './diagnostics';
import type { LiveSummary } from '../engine';
import { buildMultiRootTree, type TreeNode } from './tree';
import type { FolderState, WorkspaceAnalyzer } from './workspace';

const SEVERITY_ICON = {
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  info: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
};

const LIVE_ICON = {
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  problem: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  unknown: new vscode.ThemeIcon('question'),
};

function scoreIcon(score: number | null): vscode.ThemeIcon {
  if (score === null) return new vscode.ThemeIcon('circle-outline');
  if (score >= 90) return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  if (score >= 60) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
}

/** Whether the folder looks like a database project at all (else the welcome view explains what to do). */
export function hasDatabaseCode(analyzer: WorkspaceAnalyzer): boolean {
  return analyzer.folderStates().some((s) => {
    const f = s.result?.facts;
    return !!f && (f.schema.tables.size > 0 || f.migrations.length > 0 || f.queries.length > 0);
  });
}

export class ReadinessTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: TreeNode[] = [];
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly analyzer: WorkspaceAnalyzer,
    private readonly liveOf: (state: FolderState) => LiveSummary | undefined = () => undefined,
  ) {
    this.sub = analyzer.onDidAnalyze(() => this.refresh());
  }

  refresh(): void {
    const folders = this.analyzer
      .folderStates()
      .filter((s) => s.result)
      .map((s) => ({ name: s.folder.name, result: { ...s.result!, live: this.liveOf(s) } }));
    this.roots = folders.length && hasDatabaseCode(this.analyzer) ? buildMultiRootTree(folders) : [];
    void vscode.commands.executeCommand('setContext', 'pgready.hasProject', this.roots.length > 0);
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : this.roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state =
      node.kind === 'location' || !node.children.length
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'overall' || node.kind === 'folder'
          ? vscode.TreeItemCollapsibleState.Expanded
          : node.kind === 'category'
            ? vscode.TreeItemCollapsibleState.Expanded
            : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.kind;
    switch (node.kind) {
      case 'folder':
        item.iconPath = vscode.ThemeIcon.Folder;
        break;
      case 'overall':
      case 'category':
        item.iconPath = scoreIcon(node.score);
        break;
      case 'live':
        item.iconPath = new vscode.ThemeIcon('database');
        break;
      case 'liveCheck':
        item.iconPath = LIVE_ICON[node.status];
        break;
      case 'rule':
        // A click expands the rule's locations; its docs are in the tooltip's context menu and inline action.
        item.iconPath = SEVERITY_ICON[node.severity];
        item.tooltip = `${node.rule}: ${node.count} finding${node.count === 1 ? '' : 's'}. Right-click for the rule's documentation.`;
        break;
      case 'location': {
        item.iconPath = SEVERITY_ICON[node.severity];
        const state = node.file && this.analyzer.folderStates().find((s) => s.files.has(node.file!));
        if (state && node.file && node.range) {
          const r = node.range;
          item.resourceUri = this.analyzer.uriOf(state, node.file);
          item.command = {
            command: 'vscode.open',
            title: 'Open location',
            arguments: [item.resourceUri, { selection: new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter) }],
          };
        } else {
          item.command = { command: 'vscode.open', title: 'Show rule documentation', arguments: [vscode.Uri.parse(docsUri(node.rule))] };
        }
        break;
      }
    }
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}
