// The plan webview: one panel, reused. It receives the page (the engine's view model plus the editor's
// context) and only renders it (media/plan.js); its buttons post messages back to re-run the EXPLAIN with
// other options or to reveal the statement in its file.
import * as vscode from 'vscode';
import { createPgreadyPanel, pageResources } from '../webviewPanel';
import { planPageHtml, type PlanPage } from './html';

export type PlanMessage =
  | { type: 'rerun'; analyze: boolean; buffers: boolean }
  | { type: 'reveal' }
  /** An index advice's "Try it" / "Write migration": `index` is the advice's position in the page. */
  | { type: 'tryIndex'; ddl: string; index: number }
  | { type: 'writeMigration'; ddl: string; index: number };

/** What the extension posts back to the page: the state of an advice's "Try it". */
export type TryIndexPost =
  | { type: 'tryResult'; index: number; state: 'running' }
  | { type: 'tryResult'; index: number; state: 'error'; message: string }
  | { type: 'tryResult'; index: number; state: 'done'; method: 'hypopg' | 'transaction'; before: number; after: number; ratio: number; usesIndex: boolean; indexName?: string; notes: string[]; source: string };

export class PlanPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly media: vscode.Uri;
  private handler?: (m: PlanMessage) => void;

  constructor(extensionUri: vscode.Uri) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
  }

  show(page: PlanPage, onMessage: (m: PlanMessage) => void): vscode.WebviewPanel {
    this.handler = onMessage;
    if (!this.panel) {
      this.panel = createPgreadyPanel('pgready.plan', 'pgready: EXPLAIN', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.media);
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        const msg = m as { type?: unknown; analyze?: unknown; buffers?: unknown; ddl?: unknown; index?: unknown };
        if (msg?.type === 'rerun') this.handler?.({ type: 'rerun', analyze: msg.analyze === true, buffers: msg.buffers === true });
        else if (msg?.type === 'reveal') this.handler?.({ type: 'reveal' });
        else if ((msg?.type === 'tryIndex' || msg?.type === 'writeMigration') && typeof msg.ddl === 'string' && Number.isInteger(msg.index)) {
          this.handler?.({ type: msg.type, ddl: msg.ddl, index: msg.index as number });
        }
      });
    }
    const webview = this.panel.webview;
    this.panel.title = `EXPLAIN${page.analyzed ? ' ANALYZE' : ''}${page.origin ? `: ${page.origin}` : ''}`;
    webview.html = planPageHtml(page, pageResources(webview, this.media, 'plan'));
    this.panel.reveal(vscode.ViewColumn.Beside, true);
    return this.panel;
  }

  /** Posts a "Try it" state to the page (ignored when the panel is closed). */
  post(message: TryIndexPost): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
