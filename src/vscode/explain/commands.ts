// The EXPLAIN commands: from a CodeLens (the statement's SQL and range), from a selection, or from a caller
// with SQL. The database is the connected one, else the embedded shadow database of the folder. EXPLAIN
// ANALYZE of a writing statement asks first (and is refused on a connection marked production); the db
// layer runs every ANALYZE inside a transaction it rolls back. Errors are the db layer's one-line messages.
// Each command returns the plan's view model (undefined when nothing ran), which the host tests read.
import * as path from 'path';
import * as vscode from 'vscode';
import { planViewModel, type PlanViewModel } from '../../engine/explain';
import { DbError } from '../../db/connection';
import { explain, type ExplainResult } from '../../db/explain';
import { hasHypopg, normalizeIndexDdl, tryIndex, type TryIndexResult } from '../../db/try-index';
import { indexMigration, indexSpecFromDdl } from '../../engine/fixes/index-migration';
import type { ConnectionManager, Session } from '../connection/manager';
import type { Range0 } from '../diagnostics';
import { canConnect } from '../trust';
import type { FolderState, WorkspaceAnalyzer } from '../workspace';
import { lensSites, siteAt, sqlTitle } from './lenses';
import type { PlanPanel, TryIndexPost } from './panel';
import { shadowNotes, type ShadowDatabases } from './shadow';

export interface ExplainArgs {
  /** The document the SQL came from (a CodeLens passes it). */
  uri?: string;
  range?: Range0;
  sql?: string;
  analyze?: boolean;
  buffers?: boolean;
  settings?: boolean;
}

export interface TryIndexArgs {
  /** The document the query came from (picks the workspace folder). */
  uri?: string;
  sql: string;
  /** The CREATE INDEX to try (an advice's `createIndex`). */
  ddl: string;
  /** The advice's position in the plan page, for the result. */
  index?: number;
}

export interface WriteMigrationArgs {
  uri?: string;
  ddl: string;
  /** One line for the migration's docstring / comment. */
  why?: string;
}

export interface ExplainDeps {
  analyzer: WorkspaceAnalyzer;
  connections: ConnectionManager;
  shadows: ShadowDatabases;
  panel: () => PlanPanel;
  /** Plan advice on the statement's source line. */
  diagnostics: vscode.DiagnosticCollection;
}

const WRITE_WORD = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge)\b/i;

export function explainCommands(deps: ExplainDeps): Record<string, (...args: any[]) => unknown> {
  const { analyzer, connections } = deps;

  async function folderState(uri?: vscode.Uri): Promise<FolderState | undefined> {
    await analyzer.ready();
    const loc = uri && analyzer.locate(uri);
    return loc?.state ?? analyzer.folderStates()[0];
  }

  async function open(state: FolderState | undefined): Promise<{ session: Session; notes: string[] }> {
    const t = await connections.target(state?.folder);
    if (t.kind === 'server') return { session: await connections.sessionFor(t), notes: [] };
    if (!state) throw new DbError('No workspace folder: open the project folder so pgready can build the embedded database from its migrations.');
    const { shadowRows, statementTimeoutMs } = connections.explainSettings;
    const session = await deps.shadows.session(state, { rows: shadowRows, statementTimeoutMs });
    return { session, notes: shadowNotes(session.db, state.folder.name) };
  }

  async function confirmWrite(result: ExplainResult, session: Session): Promise<boolean> {
    const kind = result.statementKind.replace(/Stmt$/, '').toUpperCase() || WRITE_WORD.exec(result.sql)?.[1]?.toUpperCase() || 'writing';
    if (session.production) {
      void vscode.window.showErrorMessage(`pgready: EXPLAIN ANALYZE would run this ${kind} statement on ${session.label}, which is marked production (pgready.connection.production). pgready does not run writing statements there, even rolled back; use EXPLAIN without ANALYZE.`);
      return false;
    }
    const where = session.db.kind === 'pglite' ? 'the embedded database' : session.db.label;
    const pick = await vscode.window.showWarningMessage(
      `EXPLAIN ANALYZE runs this ${kind} statement on ${where}.`,
      {
        modal: true,
        detail: `pgready runs it inside a transaction and always rolls it back, so no rows change — but it takes the row locks and fires triggers while it runs.\n\n${sqlTitle(result.sql, 300)}`,
      },
      'Run and Roll Back',
    );
    return pick === 'Run and Roll Back';
  }

  async function run(args: ExplainArgs = {}): Promise<PlanViewModel | undefined> {
    if (!canConnect()) {
      void vscode.window.showWarningMessage('pgready: EXPLAIN is unavailable in Restricted Mode — it needs a database connection or the embedded database. Trust the workspace to use it.', 'Manage Workspace Trust').then((p) => {
        if (p) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
    const sql = args.sql?.trim();
    if (!sql) {
      void vscode.window.showInformationMessage('pgready: nothing to EXPLAIN — select a SQL statement or use the EXPLAIN lens above one.');
      return undefined;
    }
    const uri = args.uri ? vscode.Uri.parse(args.uri) : undefined;
    const state = await folderState(uri);
    let session: Session | undefined;
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `pgready: EXPLAIN${args.analyze ? ' ANALYZE' : ''}` }, async () => {
        const opened = await open(state);
        session = opened.session;
        const s = opened.session;
        const notes = [...opened.notes];
        const options = { buffers: args.buffers, settings: args.settings };
        let result: ExplainResult;
        if (args.analyze) {
          // A plain EXPLAIN first: the db layer tells whether the statement writes, and the user decides.
          const probe = await s.run((db) => explain(db, sql, options));
          if (probe.writes && !(await confirmWrite(probe, s))) return undefined;
          result = await s.run((db) => explain(db, sql, { ...options, analyze: true }));
          if (result.writes) notes.unshift(`The ${result.statementKind.replace(/Stmt$/, '').toUpperCase()} ran inside a transaction that pgready rolled back: no rows changed.`);
        } else result = await s.run((db) => explain(db, sql, options));
        if (result.generic) notes.push(`Generic plan: the statement's ${result.parameters} parameter${result.parameters === 1 ? ' is' : 's are'} unbound (${result.method === 'prepare' ? 'PREPARE with plan_cache_mode = force_generic_plan' : 'EXPLAIN (GENERIC_PLAN)'}).`);
        const vm = planViewModel(result.plan, { advice: result.advice, notes, source: s.db.label, sql: result.sql, generic: result.generic });
        const origin = uri && args.range ? `${path.posix.basename(uri.path)}:${args.range.startLine + 1}` : 'selection';
        deps.panel().show({ vm, origin, analyzed: !!args.analyze, buffers: !!args.buffers, production: s.production }, (m) => {
          if (m.type === 'rerun') void run({ ...args, analyze: m.analyze, buffers: m.buffers });
          else if (m.type === 'tryIndex') void tryIt({ uri: args.uri, sql: result.sql, ddl: m.ddl, index: m.index });
          else if (m.type === 'writeMigration') void writeMigration({ uri: args.uri, ddl: m.ddl, why: `Suggested by pgready's EXPLAIN advice for the query at ${origin}.` });
          else if (uri && args.range) void reveal(uri, args.range);
        });
        publishAdvice(uri, args.range, vm);
        return vm;
      });
    } catch (e) {
      const msg = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
      const hint = session?.db.kind === 'pglite' && /does not exist/.test(msg) ? ' (the embedded database only has what this project\'s migrations create; connect to a database for the rest)' : '';
      connections.reportError(new DbError(`EXPLAIN failed: ${msg.replace(/\.$/, '')}${hint}.`));
      return undefined;
    }
  }

  /**
   * "Try it" for an index advice: EXPLAIN before and after the index on the current connection (or the
   * embedded database). With hypopg installed the index is hypothetical; otherwise it is built in a
   * transaction that is rolled back — on a server only after the user confirms the lock, never on a
   * connection marked production. The panel shows the state; the result is returned for host tests.
   */
  async function tryIt(args: TryIndexArgs): Promise<TryIndexResult | undefined> {
    const index = args.index ?? -1;
    const post = (m: { state: 'running' } | { state: 'error'; message: string } | Omit<Extract<TryIndexPost, { state: 'done' }>, 'type' | 'index'>) => deps.panel().post({ type: 'tryResult', index, ...m } as TryIndexPost);
    if (!canConnect()) {
      void vscode.window.showWarningMessage('pgready: "Try it" is unavailable in Restricted Mode — trust the workspace to use it.');
      return undefined;
    }
    let ddl: string;
    try {
      ddl = normalizeIndexDdl(args.ddl);
    } catch (e) {
      post({ state: 'error', message: (e as Error).message });
      return undefined;
    }
    const state = await folderState(args.uri ? vscode.Uri.parse(args.uri) : undefined);
    try {
      const { session } = await open(state);
      const shadow = session.db.kind === 'pglite';
      const hypo = !shadow && (await session.run((db) => hasHypopg(db)));
      if (!hypo && session.production) {
        const message = `Not tried: ${session.label} is marked production (pgready.connection.production) and has no hypopg, so trying the index would mean building it there (in a rolled-back transaction, SHARE-locking the table against writes). Try it on a staging copy or the embedded database, or install hypopg.`;
        post({ state: 'error', message });
        void vscode.window.showErrorMessage(`pgready: ${message}`);
        return undefined;
      }
      if (!hypo && !shadow) {
        const table = /\bON\s+(?:ONLY\s+)?([^\s(]+)/i.exec(ddl)?.[1] ?? 'the table';
        const pick = await vscode.window.showWarningMessage(
          `Try the index by building it on ${session.label}?`,
          {
            modal: true,
            detail: `hypopg is not installed in this database, so pgready builds the index for real inside a transaction, EXPLAINs the query again and rolls back. A CREATE INDEX in a transaction takes a SHARE lock on ${table}: INSERT, UPDATE and DELETE on it wait until the build and the EXPLAIN finish (bounded by lock_timeout and statement_timeout). Nothing remains afterwards.\n\n${ddl}`,
          },
          'Build, EXPLAIN and Roll Back',
        );
        if (pick !== 'Build, EXPLAIN and Roll Back') {
          post({ state: 'error', message: 'Not tried (cancelled).' });
          return undefined;
        }
      }
      post({ state: 'running' });
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'pgready: trying the index' }, () => session.run((db) => tryIndex(db, args.sql, ddl, { production: session.production })));
      const notes = shadow ? r.notes.map((n) => n.replace(/while it ran, the table was SHARE-locked \(writes waited\)/, 'the embedded database is private to pgready, so nobody waited')) : r.notes;
      post({ state: 'done', method: r.method, before: r.before.cost, after: r.after.cost, ratio: r.ratio, usesIndex: r.usesIndex, indexName: r.indexName, notes, source: session.db.label });
      return { ...r, notes };
    } catch (e) {
      const msg = e instanceof DbError ? e.message : String((e as Error)?.message ?? e);
      post({ state: 'error', message: msg });
      connections.reportError(new DbError(`Try index failed: ${msg.replace(/\.$/, '')}.`));
      return undefined;
    }
  }

  /**
   * "Write migration": a new migration file that builds the index CONCURRENTLY, in the folder's migration
   * dialect (an Alembic revision after the current head, the next SQL migration…), applied as a
   * WorkspaceEdit and opened so the user sees it (unsaved). Returns the new file's URIs.
   */
  async function writeMigration(args: WriteMigrationArgs): Promise<vscode.Uri[] | undefined> {
    const state = await folderState(args.uri ? vscode.Uri.parse(args.uri) : undefined);
    if (!state) {
      void vscode.window.showInformationMessage('pgready: open the project folder to write a migration.');
      return undefined;
    }
    const spec = indexSpecFromDdl(args.ddl);
    if (!spec) {
      void vscode.window.showErrorMessage('pgready: "Write migration" takes one CREATE INDEX statement.');
      return undefined;
    }
    const m = indexMigration(state.engine.facts().migrations, spec, { why: args.why });
    if (!m.ok) {
      void vscode.window.showInformationMessage(`pgready: ${m.reason}`);
      return undefined;
    }
    const edit = new vscode.WorkspaceEdit();
    const uris = m.files.map((f) => vscode.Uri.joinPath(state.folder.uri, ...f.path.split('/')));
    m.files.forEach((f, i) => {
      const meta = { label: `pgready: ${spec.name} migration`, needsConfirmation: false, description: f.path };
      edit.createFile(uris[i], { ignoreIfExists: false, overwrite: false }, meta);
      edit.insert(uris[i], new vscode.Position(0, 0), f.text, meta);
    });
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage(`pgready: could not create ${m.files.map((f) => f.path).join(', ')} (does it exist already?).`);
      return undefined;
    }
    const doc = await vscode.workspace.openTextDocument(uris[0]);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    const parent = m.parents.length ? ` after ${m.parents.join(', ')}` : '';
    void vscode.window.showInformationMessage(`pgready: wrote ${m.tool} migration ${m.id}${parent} (${m.files.map((f) => f.path).join(', ')}); review and save it.${m.notes.length ? ` ${m.notes.join(' ')}` : ''}`);
    return uris;
  }

  function publishAdvice(uri: vscode.Uri | undefined, range: Range0 | undefined, vm: PlanViewModel): void {
    if (!uri || !range) return;
    const r = new vscode.Range(range.startLine, range.startCharacter, range.endLine, range.endCharacter);
    deps.diagnostics.set(
      uri,
      vm.advice.map((a) => {
        const d = new vscode.Diagnostic(r, `${a.message} (${a.nodeLabel}; from EXPLAIN on ${vm.source ?? 'the database'}) ${a.help}`, a.severity === 'error' ? vscode.DiagnosticSeverity.Error : a.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.source = 'pgready EXPLAIN';
        d.code = a.rule;
        return d;
      }),
    );
  }

  async function reveal(uri: vscode.Uri, range: Range0): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const r = new vscode.Range(range.startLine, range.startCharacter, range.endLine, range.endCharacter);
    await vscode.window.showTextDocument(doc, { selection: r, viewColumn: vscode.ViewColumn.One });
  }

  /** The selection's text, else the recognised statement under the cursor. */
  function fromEditor(): ExplainArgs | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const doc = editor.document;
    const sel = editor.selection;
    if (!sel.isEmpty) {
      return { uri: doc.uri.toString(), sql: doc.getText(sel), range: { startLine: sel.start.line, startCharacter: sel.start.character, endLine: sel.end.line, endCharacter: sel.end.character } };
    }
    const loc = analyzer.locate(doc.uri);
    const site = loc && loc.state.engine.text(loc.rel) === doc.getText() ? siteAt(lensSites(loc.state.engine.facts().sqlSites, loc.rel), sel.active.line, sel.active.character) : undefined;
    return site ? { uri: doc.uri.toString(), sql: site.sql, range: site.range } : undefined;
  }

  return {
    'pgready.explain': (args?: ExplainArgs) => run(args ?? fromEditor()),
    'pgready.explainAnalyze': (args?: ExplainArgs) => run({ ...(args ?? fromEditor()), analyze: true }),
    'pgready.explainSelection': (opts?: { analyze?: boolean; buffers?: boolean }) => run({ ...fromEditor(), ...opts }),
    'pgready.tryIndex': (args: TryIndexArgs) => tryIt(args),
    'pgready.writeIndexMigration': (args: WriteMigrationArgs) => writeMigration(args),
  };
}
