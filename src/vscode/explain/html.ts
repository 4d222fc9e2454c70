// The plan webview's page: a strict CSP with a nonce, the stylesheet and script from media/, and the view
// model embedded as JSON in a non-executable <script type="application/json"> that media/plan.js reads and
// renders with textContent only. Pure (no vscode import), so the escaping is unit-tested.
import type { PlanViewModel } from '../../engine/explain';
import { webviewPage, type PageResources } from '../page';

/** What the page shows: the engine's view model plus the editor's context for it. */
export interface PlanPage {
  vm: PlanViewModel;
  /** Shown in the header: "jobs.py:13" or "selection". */
  origin?: string;
  /** Options the plan was made with, for the toolbar's state. */
  analyzed: boolean;
  buffers: boolean;
  /** The connection is marked production: the page says writes are refused. */
  production?: boolean;
}

export type { PageResources };

/**
 * JSON that is safe inside a <script> element: `<`, `>`, `&` and the line separators JSON allows but
 * JavaScript did not are written as \u escapes, so no string in the plan (a table named `</script>`) can
 * end the element or start markup.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function planPageHtml(page: PlanPage, r: PageResources): string {
  const title = page.vm.sql ? `EXPLAIN ${page.vm.sql.replace(/\s+/g, ' ').slice(0, 80)}` : 'EXPLAIN';
  return webviewPage(
    r,
    title,
    `<main id="plan" aria-live="polite"><p class="loading">Rendering the plan…</p></main>
<script type="application/json" id="plan-data">${jsonForScript(page)}</script>`,
  );
}
