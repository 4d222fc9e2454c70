// Workspace Trust. Static analysis only reads files, so it runs in Restricted Mode too; anything that
// connects to a database or executes project code (the database features to come) must ask canConnect().
import * as vscode from 'vscode';

export function canConnect(): boolean {
  return vscode.workspace.isTrusted;
}

/** Calls `onTrusted` when the user grants trust later (e.g. to enable database features then). */
export function onTrustGranted(onTrusted: () => void): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(onTrusted);
}
