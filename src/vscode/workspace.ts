// The warm engine per workspace folder and everything that keeps it current: the initial scan (a cancellable
// progress notification), a file watcher for changes on disk (git checkouts, other tools), and the editor's
// documents (open, debounced typing, save, close). Each change re-extracts only the changed file; the engine
// keeps the other files' facts and re-runs the cheap merge and rules. Diagnostics are published here.
import * as vscode from 'vscode';
import { performance } from 'perf_hooks';
import { Engine, initEngine, isAnalysable, DEFAULT_IGNORES, type AnalysisResult, type Finding, type Settings } from '../engine';
import { diagnosticsByFile, diagnosticsKey, type DiagnosticData, type Range0 } from './diagnostics';
import { engineSettings, readEditorSettings, type EditorSettings } from './settings';

export const DEBOUNCE_MS = 300;
const CONFIG_FILE = '.pgready.json';
const READ_BATCH = 32;

export interface FolderState {
  folder: vscode.WorkspaceFolder;
  engine: Engine;
  settings: Settings;
  settingsError?: string;
  /** Project-relative paths the engine holds. */
  files: Set<string>;
  result?: AnalysisResult;
  /** Published diagnostics per project-relative path, by identity key. */
  published: Map<string, string>;
}

export interface Timing {
  reason: 'scan' | 'open' | 'edit' | 'save' | 'watch' | 'config' | 'live';
  file?: string;
  /** Parsing the changed file(s) (setFile), ms. */
  extractMs: number;
  /** Merge + rules + score, ms. */
  analyzeMs: number;
  /** Mapping and publishing diagnostics, ms. */
  publishMs: number;
  at: number;
}

export interface Timings {
  activationMs?: number;
  parsersMs?: number;
  scanMs?: number;
  scanFiles?: number;
  last?: Timing;
  history: Timing[];
}

const SEVERITY: Record<DiagnosticData['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(r: Range0): vscode.Range {
  return new vscode.Range(r.startLine, r.startCharacter, r.endLine, r.endCharacter);
}

export class WorkspaceAnalyzer implements vscode.Disposable {
  private readonly states = new Map<string, FolderState>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('pgready');
  private readonly emitter = new vscode.EventEmitter<void>();
  /** pgready's output channel: scans, settings problems, timings. */
  readonly log = vscode.window.createOutputChannel('pgready', { log: true });
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.emitter, this.log];
  private readonly docTimers = new Map<string, NodeJS.Timeout>();
  private readonly folderTimers = new Map<string, NodeJS.Timeout>();
  private editor: EditorSettings;
  private parsers?: Promise<void>;
  private scanning?: Promise<void>;
  private scanSource?: vscode.CancellationTokenSource;
  readonly timings: Timings = { history: [] };
  /** Turns each engine result into the one published (live checks merge theirs in: live/checks.ts). */
  private overlay?: (state: FolderState, result: AnalysisResult) => AnalysisResult;
  /** Fires after every analysis (tree, status bar). */
  readonly onDidAnalyze = this.emitter.event;

  constructor(private readonly locateWasm: (name: string) => string) {
    this.editor = readEditorSettings(vscode.workspace.getConfiguration('pgready'));
  }

  get enabled(): boolean {
    return this.editor.enable;
  }

  /** Starts listening and kicks off the initial scan (not awaited: activation stays cheap). */
  start(): void {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.onDiskChange(uri)),
      watcher.onDidChange((uri) => this.onDiskChange(uri)),
      watcher.onDidDelete((uri) => this.onDiskDelete(uri)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.onOpen(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onType(e)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.update(doc.uri, doc.getText(), 'save')),
      vscode.workspace.onDidCloseTextDocument((doc) => this.onClose(doc)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('pgready')) return;
        this.editor = readEditorSettings(vscode.workspace.getConfiguration('pgready'));
        void this.rescan('settings changed');
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan('workspace folders changed')),
    );
    void this.rescan('start-up');
  }

  /** Resolves when the current scan (if any) has finished. */
  async ready(): Promise<void> {
    while (this.scanning) await this.scanning;
  }

  folderStates(): FolderState[] {
    return [...this.states.values()];
  }

  /** The folder state and project-relative path of a URI inside an analysed folder. */
  locate(uri: vscode.Uri): { state: FolderState; rel: string } | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const state = folder && this.states.get(folder.uri.toString());
    if (!state) return undefined;
    const base = folder.uri.path.replace(/\/$/, '');
    if (!uri.path.startsWith(base + '/')) return undefined;
    return { state, rel: uri.path.slice(base.length + 1) };
  }

  uriOf(state: FolderState, rel: string): vscode.Uri {
    return vscode.Uri.joinPath(state.folder.uri, ...rel.split('/'));
  }

  findings(uri: vscode.Uri): { state: FolderState; rel: string; findings: Finding[] } | undefined {
    const loc = this.locate(uri);
    if (!loc?.state.result) return undefined;
    return { ...loc, findings: loc.state.result.findings.filter((f) => f.span?.file === loc.rel) };
  }

  // ---- scanning -------------------------------------------------------------------------------------

  /** Re-reads settings and every folder from scratch (start-up, settings change, folder change). */
  rescan(reason = 'requested'): Promise<void> {
    this.log.info(`scan (${reason})`);
    this.scanSource?.cancel();
    const previous = this.scanning;
    const run = (async () => {
      if (previous) await previous.catch(() => undefined);
      this.clear();
      if (!this.editor.enable || !vscode.workspace.workspaceFolders?.length) {
        this.emitter.fire();
        return;
      }
      const source = (this.scanSource = new vscode.CancellationTokenSource());
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'pgready: analysing the workspace', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => source.cancel());
          const t0 = performance.now();
          await this.loadParsers();
          let files = 0;
          for (const folder of vscode.workspace.workspaceFolders ?? []) {
            if (source.token.isCancellationRequested) break;
            files += await this.scanFolder(folder, source.token, progress);
          }
          this.timings.scanMs = performance.now() - t0;
          this.timings.scanFiles = files;
          this.log.info(`scanned ${files} files in ${Math.round(this.timings.scanMs)} ms (parsers ${Math.round(this.timings.parsersMs ?? 0)} ms)${source.token.isCancellationRequested ? ', cancelled' : ''}`);
        },
      );
      source.dispose();
    })();
    this.scanning = run;
    void run.finally(() => {
      if (this.scanning === run) this.scanning = undefined;
    });
    return run;
  }

  private loadParsers(): Promise<void> {
    if (!this.parsers) {
      const t0 = performance.now();
      this.parsers = initEngine({ locateWasm: this.locateWasm }).then(() => {
        this.timings.parsersMs = performance.now() - t0;
      });
    }
    return this.parsers;
  }

  private async readText(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined; // deleted meanwhile, or unreadable: the watcher catches up
    }
  }

  private async loadSettings(folder: vscode.WorkspaceFolder): Promise<{ settings: Settings; error?: string }> {
    let json: string | undefined;
    try {
      json = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, CONFIG_FILE)));
    } catch {
      json = undefined;
    }
    const out = engineSettings(this.editor, json);
    if (out.error) this.log.warn(out.error);
    if (out.error) void vscode.window.showWarningMessage(`pgready: ${out.error} (using defaults)`);
    return out;
  }

  private async scanFolder(
    folder: vscode.WorkspaceFolder,
    token: vscode.CancellationToken,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<number> {
    const { settings, error } = await this.loadSettings(folder);
    const state: FolderState = { folder, engine: new Engine(settings), settings, settingsError: error, files: new Set(), published: new Map() };
    this.states.set(folder.uri.toString(), state);
    const exclude = `{${DEFAULT_IGNORES.join(',')}}`;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), exclude, undefined, token);
    const wanted = uris
      .map((uri) => ({ uri, rel: this.locate(uri)?.rel }))
      .filter((x): x is { uri: vscode.Uri; rel: string } => !!x.rel && isAnalysable(x.rel) && !state.engine.isIgnored(x.rel));
    const t0 = performance.now();
    for (let i = 0; i < wanted.length; i += READ_BATCH) {
      if (token.isCancellationRequested) break;
      const batch = wanted.slice(i, i + READ_BATCH);
      const texts = await Promise.all(batch.map((w) => this.readText(w.uri)));
      batch.forEach((w, j) => {
        const text = texts[j];
        if (text !== undefined && state.engine.setFile(w.rel, text)) state.files.add(w.rel);
      });
      progress.report({ message: `${folder.name}: ${Math.min(i + READ_BATCH, wanted.length)}/${wanted.length} files`, increment: (batch.length / wanted.length) * 100 });
    }
    this.analyze(state, { reason: 'scan', extractMs: performance.now() - t0 });
    return state.files.size;
  }

  private clear(): void {
    for (const t of [...this.docTimers.values(), ...this.folderTimers.values()]) clearTimeout(t);
    this.docTimers.clear();
    this.folderTimers.clear();
    this.states.clear();
    this.diagnostics.clear();
  }

  // ---- incremental updates --------------------------------------------------------------------------

  private analysable(uri: vscode.Uri): { state: FolderState; rel: string } | undefined {
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return undefined;
    const loc = this.locate(uri);
    if (!loc || (!isAnalysable(loc.rel) && loc.rel !== CONFIG_FILE) || loc.state.engine.isIgnored(loc.rel)) return undefined;
    return loc;
  }

  private onOpen(doc: vscode.TextDocument): void {
    this.update(doc.uri, doc.getText(), 'open');
  }

  private onType(e: vscode.TextDocumentChangeEvent): void {
    if (!e.contentChanges.length || !this.analysable(e.document.uri)) return;
    const key = e.document.uri.toString();
    clearTimeout(this.docTimers.get(key));
    this.docTimers.set(
      key,
      setTimeout(() => {
        this.docTimers.delete(key);
        this.update(e.document.uri, e.document.getText(), 'edit');
      }, DEBOUNCE_MS),
    );
  }

  private async onClose(doc: vscode.TextDocument): Promise<void> {
    // A document closed without saving: the file on disk is the truth again.
    if (!this.analysable(doc.uri)) return;
    const text = await this.readText(doc.uri);
    if (text === undefined) this.remove(doc.uri, 'watch');
    else this.update(doc.uri, text, 'watch');
  }

  private async onDiskChange(uri: vscode.Uri): Promise<void> {
    const loc = this.analysable(uri);
    if (!loc) {
      await this.onFolderCreated(uri);
      return;
    }
    if (loc.rel === CONFIG_FILE) {
      void this.rescan(`${CONFIG_FILE} changed`);
      return;
    }
    // An open document with unsaved edits wins over the disk.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open?.isDirty) return;
    const text = await this.readText(uri);
    if (text === undefined) return;
    const t0 = performance.now();
    if (loc.state.engine.setFile(loc.rel, text)) loc.state.files.add(loc.rel);
    this.scheduleFolder(loc.state, performance.now() - t0, loc.rel);
  }

  /**
   * A folder that appears on disk (a checkout, a copy, `mkdir -p x && cp …`) may arrive as one event for the
   * folder and none for the files in it: VS Code's watcher does not promise events for children. Read it whole.
   */
  private async onFolderCreated(uri: vscode.Uri): Promise<void> {
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote') return;
    const loc = this.locate(uri);
    if (!loc || loc.state.engine.isIgnored(loc.rel)) return;
    try {
      if (!((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory)) return;
    } catch {
      return; // gone again
    }
    const exclude = `{${DEFAULT_IGNORES.join(',')}}`;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*'), exclude);
    const t0 = performance.now();
    let changed = false;
    for (const child of uris) {
      const at = this.analysable(child);
      if (!at || at.state !== loc.state || at.rel === CONFIG_FILE) continue;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === child.toString());
      if (open?.isDirty) continue;
      const text = await this.readText(child);
      if (text !== undefined && loc.state.engine.setFile(at.rel, text)) {
        loc.state.files.add(at.rel);
        changed = true;
      }
    }
    if (changed) this.scheduleFolder(loc.state, performance.now() - t0, loc.rel);
  }

  private onDiskDelete(uri: vscode.Uri): void {
    const loc = this.locate(uri);
    if (!loc) return;
    if (loc.rel === CONFIG_FILE) {
      void this.rescan(`${CONFIG_FILE} deleted`);
      return;
    }
    // A deleted folder arrives as one event: drop every file under it.
    for (const rel of [...loc.state.files]) {
      if (rel === loc.rel || rel.startsWith(loc.rel + '/')) {
        loc.state.engine.removeFile(rel);
        loc.state.files.delete(rel);
      }
    }
    this.scheduleFolder(loc.state, 0, loc.rel);
  }

  /** Bursts of disk events (a checkout) become one analysis. */
  private scheduleFolder(state: FolderState, extractMs: number, file: string): void {
    const key = state.folder.uri.toString();
    clearTimeout(this.folderTimers.get(key));
    this.folderTimers.set(
      key,
      setTimeout(() => {
        this.folderTimers.delete(key);
        if (this.states.get(key) === state) this.analyze(state, { reason: 'watch', file, extractMs });
      }, DEBOUNCE_MS),
    );
  }

  /** Sets one file's text and re-analyses its folder now (when the text changed). */
  update(uri: vscode.Uri, text: string, reason: Timing['reason']): void {
    const loc = this.analysable(uri);
    if (!loc || loc.rel === CONFIG_FILE) {
      if (loc?.rel === CONFIG_FILE && reason === 'save') void this.rescan(`${CONFIG_FILE} saved`);
      return;
    }
    const key = uri.toString();
    if (reason === 'save') {
      clearTimeout(this.docTimers.get(key));
      this.docTimers.delete(key);
    }
    const { state, rel } = loc;
    if (state.engine.text(rel) === text && state.result) return;
    const t0 = performance.now();
    if (state.engine.setFile(rel, text)) state.files.add(rel);
    this.analyze(state, { reason, file: rel, extractMs: performance.now() - t0 });
  }

  private remove(uri: vscode.Uri, reason: Timing['reason']): void {
    const loc = this.locate(uri);
    if (!loc) return;
    loc.state.engine.removeFile(loc.rel);
    loc.state.files.delete(loc.rel);
    this.analyze(loc.state, { reason, file: loc.rel, extractMs: 0 });
  }

  // ---- analysis and publishing ----------------------------------------------------------------------

  /** Sets the overlay applied to every later analysis (one owner: the live checks). */
  setOverlay(overlay: ((state: FolderState, result: AnalysisResult) => AnalysisResult) | undefined): void {
    this.overlay = overlay;
  }

  /** Analyses and publishes a folder again without reading files (its overlay's input changed). */
  reanalyze(state: FolderState): void {
    if (this.states.get(state.folder.uri.toString()) === state) this.analyze(state, { reason: 'live', extractMs: 0 });
  }

  private analyze(state: FolderState, t: Omit<Timing, 'analyzeMs' | 'publishMs' | 'at'>): void {
    const t0 = performance.now();
    const result = state.engine.analyze();
    state.result = this.overlay ? this.overlay(state, result) : result;
    const t1 = performance.now();
    this.publish(state);
    const timing: Timing = { ...t, analyzeMs: t1 - t0, publishMs: performance.now() - t1, at: Date.now() };
    this.timings.last = timing;
    this.timings.history.push(timing);
    if (this.timings.history.length > 50) this.timings.history.shift();
    this.emitter.fire();
  }

  private publish(state: FolderState): void {
    const byFile = diagnosticsByFile(state.result?.findings ?? []);
    for (const [rel, list] of byFile) {
      const key = diagnosticsKey(list);
      if (state.published.get(rel) === key) continue;
      state.published.set(rel, key);
      this.diagnostics.set(this.uriOf(state, rel), list.map((d) => this.toDiagnostic(state, d)));
    }
    for (const rel of [...state.published.keys()]) {
      if (byFile.has(rel)) continue;
      state.published.delete(rel);
      this.diagnostics.delete(this.uriOf(state, rel));
    }
  }

  private toDiagnostic(state: FolderState, d: DiagnosticData): vscode.Diagnostic {
    const diag = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
    diag.source = d.source;
    diag.code = { value: d.code.value, target: vscode.Uri.parse(d.code.target) };
    if (d.related.length) {
      diag.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(this.uriOf(state, r.file), toRange(r.range)), r.message));
    }
    return diag;
  }

  dispose(): void {
    this.scanSource?.cancel();
    this.clear();
    for (const d of this.disposables) d.dispose();
  }
}
