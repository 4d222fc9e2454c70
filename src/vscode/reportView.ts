// The readiness report in a webview: the engine's Markdown report rendered to HTML by markdown.ts (which
// escapes everything), a strict CSP with a nonce, resources only from media/, and buttons that save the
// report as .md, .json or .sarif through the pgready.saveReport command.
import * as vscode from 'vscode';
import { markdownToHtml } from './markdown';
import { webviewPage } from './page';
import { createPgreadyPanel, pageResources } from './webviewPanel';

export type SaveFormat = 'markdown' | 'json' | 'sarif';

export class ReportView implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly media: vscode.Uri;

  constructor(extensionUri: vscode.Uri, private readonly onSave: (format: SaveFormat) => Thenable<unknown>) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
  }

  show(markdown: string, title: string): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = createPgreadyPanel('pgready.report', 'pgready: readiness report', vscode.ViewColumn.Active, this.media);
      this.panel.onDidDispose(() => (this.panel = undefined));
      this.panel.webview.onDidReceiveMessage((m: unknown) => {
        const format = (m as { type?: string; format?: string })?.format;
        if ((m as { type?: string })?.type === 'save' && (format === 'markdown' || format === 'json' || format === 'sarif')) void this.onSave(format);
      });
    }
    this.panel.title = `pgready: ${title}`;
    this.panel.webview.html = this.html(this.panel.webview, markdown);
    this.panel.reveal();
    return this.panel;
  }

  private html(webview: vscode.Webview, markdown: string): string {
    return webviewPage(
      pageResources(webview, this.media, 'report'),
      'pgready report',
      `<nav class="toolbar">
<button type="button" data-format="markdown">Save as .md</button>
<button type="button" data-format="json">Save as .json</button>
<button type="button" data-format="sarif">Save as .sarif</button>
</nav>
<main class="report">
${markdownToHtml(markdown)}
</main>`,
    );
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
