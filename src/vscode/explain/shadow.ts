// The embedded shadow database per workspace folder: built from the folder's migrations (as the warm engine
// sees them) the first time EXPLAIN needs it, behind a progress notification; loaded from the on-disk cache
// when an identical build exists; reopened when the migrations or `pgready.shadow.rows` change.
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { openShadow, stepsFromMigrations, stepsFromSqlFiles, type ShadowDb, type ShadowStep } from '../../db/shadow';
import { Session } from '../connection/manager';
import type { FolderState } from '../workspace';

interface Entry {
  key: string;
  session: Promise<Session & { db: ShadowDb }>;
}

export class ShadowDatabases implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The folder's migration statements, as the engine currently has them. */
  static steps(state: FolderState): ShadowStep[] {
    const steps = stepsFromMigrations(state.engine.facts().migrations);
    if (steps.length) return steps;
    const files = [...state.files].sort().flatMap((path) => {
      const text = state.engine.text(path);
      return text === undefined ? [] : [{ path, text }];
    });
    return stepsFromSqlFiles(files);
  }

  async session(state: FolderState, opts: { rows: number; statementTimeoutMs: number }): Promise<Session & { db: ShadowDb }> {
    const steps = ShadowDatabases.steps(state);
    const key = createHash('sha256').update(JSON.stringify({ s: steps.map((s) => s.sql), r: opts.rows, t: opts.statementTimeoutMs })).digest('hex');
    const id = state.folder.uri.toString();
    const current = this.entries.get(id);
    if (current?.key === key) {
      try {
        return await current.session;
      } catch {
        // the last attempt failed: try again below
      }
    }
    if (current) void current.session.then((s) => s.db.close(), () => undefined);
    const session = vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'pgready: embedded database', cancellable: false },
      async (progress) => {
        progress.report({ message: `opening (${steps.length} migration statement${steps.length === 1 ? '' : 's'})…` });
        const db = await openShadow(steps, {
          rows: opts.rows,
          statementTimeoutMs: opts.statementTimeoutMs,
          onProgress: (line) => {
            this.log.info(`shadow: ${line}`);
            progress.report({ message: line });
          },
        });
        this.log.info(`shadow: ${db.label}, ${db.tables.length} tables, ${db.fromCache ? 'from cache' : 'built'} in ${db.readyMs} ms${db.notes.length ? `, ${db.notes.length} notes` : ''}`);
        return new Session(db, 'shadow', false) as Session & { db: ShadowDb };
      },
    );
    const p = Promise.resolve(session);
    p.catch(() => undefined); // a failed build is reported by the caller; the next EXPLAIN tries again
    this.entries.set(id, { key, session: p });
    return p;
  }

  dispose(): void {
    for (const e of this.entries.values()) void e.session.then((s) => s.db.close(), () => undefined);
    this.entries.clear();
  }
}

/** Plain notes for the plan view about what the shadow database holds. */
export function shadowNotes(db: ShadowDb, folder: string): string[] {
  const out: string[] = [];
  if (!db.tables.length) out.push(`The embedded database has no tables: pgready found no migrations in ${folder}. Connect to a database for real plans.`);
  else if (!db.rows)
    out.push(
      `Tables are empty: this plan comes from an embedded PostgreSQL built from the migrations in ${folder}, so it shows what the planner does with empty tables. Set "pgready.shadow.rows" for generated rows, or connect to a database for real plans.`,
    );
  else out.push(`Tables hold ${db.rows} generated rows each (embedded database built from the migrations in ${folder}), not your data.`);
  if (db.notes.length) {
    out.push(`${db.notes.length} migration statement${db.notes.length === 1 ? '' : 's'} could not be replayed and ${db.notes.length === 1 ? 'was' : 'were'} skipped:`);
    for (const n of db.notes.slice(0, 5)) out.push(`${n.file ? `${n.file}:${n.line ?? 1}: ` : ''}${n.message}`);
  }
  return out;
}
