// Which database EXPLAIN talks to, and the session to it. Sources, in order (`chooseConnection`): the
// `pgready.connection.*` settings (password in SecretStorage), `DATABASE_URL` from the folder's `.env` (only
// after the user said yes once; the answer is remembered in workspaceState), libpq's PG* environment
// variables (PGPASSWORD only into the in-memory URL), else the embedded shadow database. A status-bar
// item shows which. Nothing here connects in an untrusted workspace. Passwords never reach settings or logs:
// labels and messages are built from the settings or from redacted URLs.
import * as vscode from 'vscode';
import { connect, DbError, type Db } from '../../db/connection';
import { canConnect } from '../trust';
import { chooseConnection, connectionLabel, connectionUrl, dotenvDatabaseUrl, envConnectionSettings, isConfigured, readConnectionSettings, readExplainSettings, secretKey, urlLabel, type ConnectionSettings } from './config';

export type Target =
  | { kind: 'server'; url: string; label: string; production: boolean; source: 'settings' | 'dotenv' | 'env'; settings?: ConnectionSettings }
  | { kind: 'shadow'; why: string };

const DOTENV_ANSWER = 'pgready.dotenvDatabaseUrl';

/** A database session and a queue, so one statement (and its BEGIN … ROLLBACK) runs at a time on it. */
export class Session {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(
    readonly db: Db,
    readonly label: string,
    readonly production: boolean,
    readonly url?: string,
  ) {}

  run<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => fn(this.db));
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export class ConnectionManager implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pgready.connection', vscode.StatusBarAlignment.Left, 49);
  private readonly sessionEmitter = new vscode.EventEmitter<Session | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.item, this.sessionEmitter];
  /** Fires with the new server session after connecting, and with undefined after it closed (live checks). */
  readonly onDidChangeSession = this.sessionEmitter.event;
  private session?: Session;
  private opening?: Promise<Session>;
  /** After "Disconnect", EXPLAIN uses the shadow database until the user connects again. */
  private disconnected = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'pgready database';
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('pgready.connection')) return;
        void this.close();
        this.refresh();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refresh()),
    );
    this.refresh();
  }

  get settings(): ConnectionSettings {
    return readConnectionSettings(vscode.workspace.getConfiguration('pgready'));
  }

  get explainSettings() {
    return readExplainSettings(vscode.workspace.getConfiguration('pgready'));
  }

  /** The connected session's label, or undefined when EXPLAIN would use the shadow database. */
  get connected(): Session | undefined {
    return this.session;
  }

  refresh(): void {
    if (!canConnect()) {
      this.item.text = '$(lock) pgready: no database';
      this.item.tooltip = 'Restricted Mode: pgready does not connect to databases or build the embedded one until you trust this workspace.';
      this.item.command = 'workbench.trust.manage';
    } else if (this.session) {
      this.item.text = `$(database) pgready: ${this.session.label}${this.session.production ? ' (production)' : ''}`;
      this.item.tooltip = `EXPLAIN runs on ${this.session.db.label}. Click for connection commands.`;
      this.item.command = 'pgready.connectionMenu';
    } else {
      const s = this.settings;
      const fromEnv = envConnectionSettings(process.env);
      this.item.text = '$(database) pgready: shadow';
      this.item.tooltip = isConfigured(s) && !this.disconnected
        ? `Not connected yet: EXPLAIN connects to ${connectionLabel(s)} on first use. Click for connection commands.`
        : fromEnv && !this.disconnected
          ? `Not connected yet: EXPLAIN connects on first use, to the workspace .env's DATABASE_URL if you allow it, else to ${connectionLabel({ ...fromEnv, production: false })} (PG* environment variables). Click for connection commands.`
          : 'EXPLAIN uses the embedded PostgreSQL (PGlite) built from this project\'s migrations. Click to connect to a database.';
      this.item.command = 'pgready.connectionMenu';
    }
    this.item.show();
  }

  /** Where EXPLAIN should go for `folder` now. May ask about `.env` once. */
  async target(folder: vscode.WorkspaceFolder | undefined, ask = true): Promise<Target> {
    if (this.disconnected) return { kind: 'shadow', why: 'disconnected' };
    const s = this.settings;
    const chosen = await chooseConnection({ settings: s, dotenvUrl: async () => (folder ? this.dotenvUrl(folder, ask) : undefined), env: process.env });
    switch (chosen?.source) {
      case 'settings': {
        const password = await this.context.secrets.get(secretKey(s));
        return { kind: 'server', url: connectionUrl(s, password), label: connectionLabel(s), production: s.production, source: 'settings', settings: s };
      }
      case 'dotenv':
        return { kind: 'server', url: chosen.url, label: urlLabel(chosen.url), production: s.production, source: 'dotenv' };
      case 'env':
        return { kind: 'server', url: connectionUrl(chosen.settings, chosen.password), label: connectionLabel(chosen.settings), production: chosen.settings.production, source: 'env' };
      default:
        return { kind: 'shadow', why: 'no connection configured' };
    }
  }

  private async dotenvUrl(folder: vscode.WorkspaceFolder, ask: boolean): Promise<string | undefined> {
    let text: string;
    try {
      text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.env')));
    } catch {
      return undefined;
    }
    const url = dotenvDatabaseUrl(text);
    if (!url) return undefined;
    const key = `${DOTENV_ANSWER}:${folder.uri.toString()}`;
    let answer = this.context.workspaceState.get<'yes' | 'no'>(key);
    if (!answer && ask) {
      const pick = await vscode.window.showInformationMessage(
        `pgready: ${folder.name}/.env sets DATABASE_URL (${urlLabel(url)}). Use it for EXPLAIN?`,
        { modal: true, detail: 'pgready opens read-only sessions with a statement timeout. Your answer is remembered for this workspace; without it, EXPLAIN uses the embedded database built from your migrations.' },
        'Use DATABASE_URL',
        'Use the embedded database',
      );
      if (!pick) return undefined; // dismissed: ask again next time
      answer = pick === 'Use DATABASE_URL' ? 'yes' : 'no';
      await this.context.workspaceState.update(key, answer);
    }
    return answer === 'yes' ? url : undefined;
  }

  /** The open server session for this target, connecting when needed. Throws DbError. */
  async sessionFor(target: Extract<Target, { kind: 'server' }>): Promise<Session> {
    if (!canConnect()) throw new DbError('Restricted Mode: pgready does not connect to databases in an untrusted workspace.');
    if (this.session && this.session.url === target.url) return this.session;
    if (this.opening) {
      const s = await this.opening.catch(() => undefined);
      if (s && s.url === target.url) return s;
    }
    await this.close();
    this.opening = (async () => {
      const db = await connect({ url: target.url, statementTimeoutMs: this.explainSettings.statementTimeoutMs });
      const from = { settings: 'pgready.connection settings', dotenv: '.env DATABASE_URL', env: 'PG* environment variables' }[target.source];
      this.log.info(`connected to ${db.label} (${from})`);
      return new Session(db, target.label, target.production, target.url);
    })();
    try {
      this.session = await this.opening;
      this.disconnected = false;
      this.sessionEmitter.fire(this.session);
      return this.session;
    } finally {
      this.opening = undefined;
      this.refresh();
    }
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.db.close();
    if (s) this.sessionEmitter.fire(undefined);
    this.refresh();
  }

  // ---- commands ---------------------------------------------------------------------------------------

  commands(): Record<string, (...args: any[]) => unknown> {
    return {
      'pgready.connect': () => this.connectCommand(),
      'pgready.disconnect': async () => {
        const was = this.session?.label;
        this.disconnected = true;
        await this.close();
        void vscode.window.showInformationMessage(`pgready: ${was ? `disconnected from ${was}; ` : ''}EXPLAIN uses the embedded database until you connect again.`);
        return true;
      },
      'pgready.testConnection': () => this.testCommand(),
      'pgready.setPassword': () => this.setPasswordCommand(),
      'pgready.connectionMenu': async () => {
        const items: (vscode.QuickPickItem & { id: string })[] = [
          { id: 'pgready.connect', label: '$(plug) Connect…', description: isConfigured(this.settings) ? connectionLabel(this.settings) : 'set up a connection' },
          { id: 'pgready.testConnection', label: '$(pulse) Test Connection' },
          { id: 'pgready.runLiveChecks', label: '$(checklist) Run Live Checks', description: 'read-only readiness checks on the database' },
          { id: 'pgready.setPassword', label: '$(key) Set Password…' },
          { id: 'pgready.disconnect', label: '$(debug-disconnect) Disconnect (use the embedded database)' },
          { id: 'workbench.action.openSettings', label: '$(gear) Connection Settings' },
        ];
        const pick = await vscode.window.showQuickPick(items, { title: 'pgready: database connection' });
        if (!pick) return undefined;
        return pick.id === 'workbench.action.openSettings' ? vscode.commands.executeCommand(pick.id, 'pgready.connection') : vscode.commands.executeCommand(pick.id);
      },
    };
  }

  private refuseUntrusted(): boolean {
    if (canConnect()) return false;
    void vscode.window.showWarningMessage('pgready: Restricted Mode — trust this workspace to connect to a database.', 'Manage Workspace Trust').then((p) => {
      if (p) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return true;
  }

  /** Connects with the settings; when none are set, asks for them (host, port, database, user, password). */
  private async connectCommand(): Promise<string | undefined> {
    if (this.refuseUntrusted()) return undefined;
    this.disconnected = false;
    if (!isConfigured(this.settings) && !(await this.promptSettings())) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const t = await this.target(folder);
      if (t.kind === 'shadow') return undefined;
    }
    const folder = vscode.window.activeTextEditor ? vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri) : vscode.workspace.workspaceFolders?.[0];
    const t = await this.target(folder);
    if (t.kind !== 'server') return undefined;
    try {
      const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `pgready: connecting to ${t.label}…` }, () => this.sessionFor(t));
      void vscode.window.showInformationMessage(`pgready: connected to ${s.db.label}${s.production ? ' (marked production: EXPLAIN ANALYZE of writing statements is refused)' : ''}.`);
      return s.db.label;
    } catch (e) {
      this.reportError(e, t);
      return undefined;
    }
  }

  private async testCommand(): Promise<string | undefined> {
    if (this.refuseUntrusted()) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    const t = await this.target(folder);
    if (t.kind !== 'server') {
      void vscode.window.showInformationMessage('pgready: no database connection is configured; EXPLAIN uses the embedded database built from your migrations.', 'Connect…').then((p) => {
        if (p) void vscode.commands.executeCommand('pgready.connect');
      });
      return undefined;
    }
    try {
      const line = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `pgready: testing ${t.label}…` }, async () => {
        const db = await connect({ url: t.url, statementTimeoutMs: this.explainSettings.statementTimeoutMs });
        try {
          const t0 = Date.now();
          await db.query('SELECT 1');
          return `${db.label}: OK (round trip ${Date.now() - t0} ms, read-only session)`;
        } finally {
          await db.close();
        }
      });
      void vscode.window.showInformationMessage(`pgready: ${line}`);
      return line;
    } catch (e) {
      this.reportError(e, t);
      return undefined;
    }
  }

  private async setPasswordCommand(): Promise<boolean> {
    const s = this.settings;
    if (!isConfigured(s)) {
      void vscode.window.showInformationMessage('pgready: set pgready.connection.host first (or run "pgready: Connect…").');
      return false;
    }
    const password = await vscode.window.showInputBox({ title: `pgready: password for ${connectionLabel(s)}`, password: true, prompt: 'Stored in VS Code\'s secret storage, never in settings. Leave empty to remove it.', ignoreFocusOut: true });
    if (password === undefined) return false;
    if (password) await this.context.secrets.store(secretKey(s), password);
    else await this.context.secrets.delete(secretKey(s));
    await this.close();
    void vscode.window.showInformationMessage(`pgready: password for ${connectionLabel(s)} ${password ? 'saved in secret storage' : 'removed'}.`);
    return true;
  }

  /** Input boxes for host/port/database/user, written to the workspace settings; then the password. */
  private async promptSettings(): Promise<boolean> {
    const host = await vscode.window.showInputBox({ title: 'pgready: connect (1/4) host', value: 'localhost', ignoreFocusOut: true, prompt: 'PostgreSQL host name or address' });
    if (!host) return false;
    const port = await vscode.window.showInputBox({ title: 'pgready: connect (2/4) port', value: '5432', ignoreFocusOut: true, validateInput: (v) => (/^\d+$/.test(v) && +v > 0 && +v < 65536 ? undefined : 'a port number') });
    if (!port) return false;
    const user = await vscode.window.showInputBox({ title: 'pgready: connect (3/4) user', value: 'postgres', ignoreFocusOut: true });
    if (user === undefined) return false;
    const database = await vscode.window.showInputBox({ title: 'pgready: connect (4/4) database', value: user || 'postgres', ignoreFocusOut: true });
    if (database === undefined) return false;
    const config = vscode.workspace.getConfiguration('pgready');
    const where = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('connection.port', Number(port), where);
    await config.update('connection.user', user, where);
    await config.update('connection.database', database, where);
    await config.update('connection.host', host, where);
    const password = await vscode.window.showInputBox({ title: `pgready: password for ${user}@${host} (optional)`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code\'s secret storage. Leave empty for trust/peer/.pgpass authentication.' });
    if (password) await this.context.secrets.store(secretKey(this.settings), password);
    return true;
  }

  /**
   * Shows a DbError's one line; a password problem offers to set the password. Does not wait for the
   * notification to be dismissed: callers return as soon as the error is known.
   */
  reportError(e: unknown, t?: Target): string {
    const msg = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
    this.log.warn(`database: ${msg}`);
    const actions = t?.kind === 'server' && t.source === 'settings' && /password/i.test(msg) ? ['Set Password…'] : [];
    void vscode.window.showErrorMessage(`pgready: ${msg}`, ...actions).then((pick) => {
      if (pick === 'Set Password…') void vscode.commands.executeCommand('pgready.setPassword');
    });
    return msg;
  }

  dispose(): void {
    void this.close();
    for (const d of this.disposables) d.dispose();
  }
}
