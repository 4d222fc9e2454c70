#!/usr/bin/env node
// UI end-to-end, the way a user sees pgready: installs the packaged pgready.vsix into code-server
// (test/vscode-host/harness.js), opens a copy of the fixture workspace in headless Debian chromium and checks
// a squiggle in app/routes.py, the Problems entry for the SQL injection, the Readiness sidebar (overall score,
// categories, a rule with its location), the status-bar score and the quick-fix menu. Screenshots go to
// test-artifacts/ (gitignored). Timeouts are generous: the machine may be shared and busy.
//   node test/vscode/run-ui.mjs [--keep]          (npm run test:ui packages first)
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const h = require(join(root, 'test', 'vscode-host', 'harness.js'));
const vsix = join(root, 'pgready.vsix');
if (!existsSync(vsix)) {
  console.error('pgready.vsix not found: run `npm run package` first');
  process.exit(2);
}
const artifacts = join(root, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
const keep = process.argv.includes('--keep');
const STEP = Number(process.env.PGREADY_UI_STEP_TIMEOUT || 90000);

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    h.lap(`ok   ${name}`);
    return true;
  } catch (e) {
    failed++;
    h.lap(`FAIL ${name}: ${String((e && e.message) || e).split('\n')[0]}`);
    return false;
  }
}

const workspace = mkdtempSync(join(tmpdir(), 'pgready-ui-'));
cpSync(join(root, 'test', 'fixtures', 'vscode-workspace'), workspace, { recursive: true });
let cs;
let browser;
let code = 2;
try {
  cs = await h.startCodeServer({ trusted: true, vsix });
  browser = await h.launchChromium(cs.root, { viewport: { width: 1600, height: 1000 } });
  const { page } = browser;
  page.setDefaultTimeout(STEP);
  const payload = [['skipWelcome', 'true'], ['openFile', h.remoteUri(cs.authority, join(workspace, 'app', 'routes.py'))]];
  await page.goto(h.workbenchUrl(cs.authority, workspace, payload), { waitUntil: 'domcontentloaded', timeout: 180000 });

  const ok = await check('workbench loaded with app/routes.py open', async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 180000 });
    await page.locator('.tabs-container .tab.active', { hasText: 'routes.py' }).waitFor();
    await page.locator('.editor-instance .view-lines', { hasText: 'search_jobs' }).first().waitFor();
  });
  if (ok) {
    await check('a squiggle under the SQL injection', async () => {
      await page.locator('.editor-instance .squiggly-error').first().waitFor();
    });
    await check('status bar shows the readiness score', async () => {
      await page.locator('.statusbar-item', { hasText: /pgready \d+\/100/ }).first().waitFor();
    });
    await check('Problems panel lists the finding with its rule code', async () => {
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'a crafted value is executed as SQL' }).first();
      await row.waitFor();
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      if (!/sql-injection/.test(text)) throw new Error(`row without the rule code: ${text}`);
      console.log(`[ui] problems row: ${text.slice(0, 200)}`);
    });
    await check('Readiness sidebar: overall score, six categories, a rule with its location', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="pgready"], .activitybar .action-item[aria-label^="pgready"]').first().click();
      const sidebar = page.locator('.part.sidebar');
      for (const label of ['Overall readiness', 'Schema Design', 'Data Integrity', 'Performance', 'Monitoring', 'Backup/Recovery', 'Security']) {
        await sidebar.locator('.monaco-list-row', { hasText: label }).first().waitFor();
      }
      await sidebar.locator('.monaco-list-row', { hasText: 'sql-injection' }).first().waitFor();
      const row = sidebar.locator('.monaco-list-row', { hasText: 'sql-injection' }).first();
      await row.click();
      await sidebar.locator('.monaco-list-row', { hasText: 'app/routes.py:13' }).first().waitFor();
      console.log(`[ui] tree: ${(await sidebar.innerText()).replace(/\s+/g, ' ').slice(0, 400)}`);
    });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(artifacts, 'vscode-ui.png') });
    h.lap('screenshot test-artifacts/vscode-ui.png');
    await check('quick-fix menu offers the engine fix and the ignore comment', async () => {
      await page.locator('.tabs-container .tab', { hasText: 'routes.py' }).first().click();
      // Put the cursor on the squiggle (Go to Line 13, column 40) and open the quick-fix menu.
      await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').waitFor();
      await page.keyboard.type('13:40');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Control+.');
      const menu = page.locator('.action-widget');
      await menu.locator('.monaco-list-row', { hasText: 'Bind the values as parameters' }).first().waitFor();
      await menu.locator('.monaco-list-row', { hasText: 'Ignore sql-injection on this line' }).first().waitFor();
      await page.screenshot({ path: join(artifacts, 'vscode-ui-quickfix.png') });
      h.lap('screenshot test-artifacts/vscode-ui-quickfix.png');
      await page.keyboard.press('Escape');
    });
    await check('the report command opens the readiness report webview', async () => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill('>pgready: Show Readiness Report');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Show Readiness Report' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab', { hasText: 'pgready:' }).first().waitFor();
      const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
      await frame.locator('h1', { hasText: 'PostgreSQL production readiness' }).waitFor();
      await frame.locator('button', { hasText: 'Save as .sarif' }).waitFor();
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(artifacts, 'vscode-ui-report.png') });
      h.lap('screenshot test-artifacts/vscode-ui-report.png');
    });
  }
  code = failed ? 1 : 0;
} catch (e) {
  console.error(`[ui] DRIVER FAILED: ${(e && e.stack) || e}`);
  if (browser) await browser.page.screenshot({ path: join(artifacts, 'vscode-ui-failure.png') }).catch(() => {});
  code = 2;
} finally {
  if (browser) await browser.context.close().catch(() => {});
  if (cs) await cs.stop({ keep });
  rmSync(workspace, { recursive: true, force: true });
}
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(code);
