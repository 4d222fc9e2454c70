// The frame every pgready webview shares: a strict Content-Security-Policy (nothing but our own stylesheet,
// images and the one script carrying the page's nonce), the stylesheet and script from media/, and a body
// the caller has already escaped. Pure (no vscode import), so it is unit-tested with the pages that use it.
import { escapeHtml } from './markdown';

export interface PageResources {
  nonce: string;
  cspSource: string;
  cssUri: string;
  jsUri: string;
}

export function webviewPage(r: PageResources, title: string, body: string): string {
  const csp = `default-src 'none'; style-src ${r.cspSource}; img-src ${r.cspSource}; script-src 'nonce-${r.nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(r.cssUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
${body}
<script nonce="${escapeHtml(r.nonce)}" src="${escapeHtml(r.jsUri)}"></script>
</body>
</html>`;
}
