// Report webview: the save buttons post a message; the extension does the saving.
(function () {
  const vscode = acquireVsCodeApi();
  document.querySelectorAll('button[data-format]').forEach((button) => {
    button.addEventListener('click', () => vscode.postMessage({ type: 'save', format: button.getAttribute('data-format') }));
  });
})();
