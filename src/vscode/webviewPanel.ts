// What pgready's webview panels (the report, the EXPLAIN plan) share on the editor side: scripts on, resources
// only from media/, the pgready icon, and the per-render resources of the page frame (page.ts) with a fresh nonce.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { PageResources } from './page';

export function createPgreadyPanel(viewType: string, title: string, show: vscode.ViewColumn | { viewColumn: vscode.ViewColumn; preserveFocus?: boolean }, media: vscode.Uri): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(viewType, title, show, { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: false });
  panel.iconPath = vscode.Uri.joinPath(media, 'pgready.svg');
  return panel;
}

/** The page frame's resources for one render: `<name>.css` and `<name>.js` from media/. */
export function pageResources(webview: vscode.Webview, media: vscode.Uri, name: string): PageResources {
  return {
    nonce: randomBytes(16).toString('base64'),
    cspSource: webview.cspSource,
    cssUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${name}.css`)).toString(),
    jsUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${name}.js`)).toString(),
  };
}
