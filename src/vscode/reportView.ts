// The readiness report in a webview: the engine's Markdown report rendered to HTML by markdown.ts (which
// escapes everything), a strict CSP with a nonce, resources only from media/, and buttons that save the
// report as .md, .json or .sarif through the pgready.saveReport command.
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import { markdownToHtml } from './markdown';
import { webviewPage } from './page';

export type SaveFormat = 'markdown' | 'json' | 'sarif';

export class ReportView implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private readonly media: vscode.Uri;

  constructor(extensionUri: vscode.Uri, private readonly onSave: (format: SaveFormat) => Thenable<unknown>) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
  }

  show(markdown: string, title: string): vscode.WebviewPanel {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('pgready.report', 'pgready: readiness report', vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [this.media],
        retainContextWhenHidden: false,
      });
      this.panel.iconPath = vscode.Uri.joinPath(this.media, 'pgready.svg');
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
    const resources = {
      nonce: randomBytes(16).toString('base64'),
      cspSource: webview.cspSource,
      cssUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'report.css')).toString(),
      jsUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'report.js')).toString(),
    };
    return webviewPage(
      resources,
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
