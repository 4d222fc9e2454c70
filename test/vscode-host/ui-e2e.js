#!/usr/bin/env node
'use strict';
// UI end-to-end check in a real VS Code 1.100.3 workbench (code-server 4.100.3) in headless Debian chromium.
// Opens a folder with an extension loaded, opens a file, waits for a squiggle in the editor and a Problems
// entry containing the given text, optionally checks that a tree view shows rows with the given labels,
// and saves a screenshot.
//
//   node test/vscode-host/ui-e2e.js (--ext DIR | --vsix FILE.vsix) --workspace DIR --open rel/path.py
//        [--problem "text"] [--view "View Title" --rows "A,B"] [--screenshot out.png]
//        [--trusted=false] [--timeout 180] [--keep] [--verbose]
//
// Exit code: 0 all checks passed, 1 a check failed (the screenshot is still written), 124 timeout, 2 driver error.
// Ends with "ui-e2e: N passed, N failed".

const fs = require('fs');
const path = require('path');
const h = require('./harness');

function usage(msg) {
  if (msg) console.error(`ui-e2e.js: ${msg}`);
  console.error('usage: node test/vscode-host/ui-e2e.js (--ext DIR | --vsix FILE) --workspace DIR --open REL_FILE [--problem TEXT] [--view TITLE --rows A,B] [--screenshot out.png] [--trusted=false] [--timeout SECONDS] [--keep] [--verbose]');
  process.exit(2);
}

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function main() {
  let a;
  try { a = h.parseArgs(process.argv.slice(2), ['trusted', 'keep', 'verbose']); } catch (e) { usage(e.message); }
  if (!a.ext === !a.vsix) usage('give exactly one of --ext and --vsix');
  if (!a.workspace || !a.open) usage('--workspace and --open are required');
  const workspace = path.resolve(a.workspace);
  const openRel = a.open;
  if (!fs.existsSync(path.join(workspace, openRel))) usage(`${path.join(workspace, openRel)} does not exist`);
  if (a.ext && !fs.existsSync(path.join(path.resolve(a.ext), 'package.json'))) usage(`--ext ${a.ext}: no package.json`);
  if (a.vsix && !fs.existsSync(a.vsix)) usage(`--vsix ${a.vsix} does not exist`);
  if (a.ext) h.checkEngines(path.resolve(a.ext));
  if (a.rows && !a.view) usage('--rows needs --view');
  const rows = (a.rows || '').split(',').map((s) => s.trim()).filter(Boolean);
  const trusted = h.asBool(a.trusted, true);
  const keep = h.asBool(a.keep, false);
  const verbose = h.asBool(a.verbose, false);
  const timeoutMs = Number(a.timeout || process.env.PGREADY_VSCODE_TIMEOUT || 180) * 1000;
  const shot = a.screenshot ? path.resolve(a.screenshot) : null;
  const stepTimeout = Number(process.env.PGREADY_UI_STEP_TIMEOUT || 45000);

  let cs = null, browser = null, browserP = null, passed = 0, failed = 0, cleaning = null;
  const cleanup = (code) => cleaning || (cleaning = (async () => {
    if (!browser && browserP) browser = await Promise.race([browserP.catch(() => null), h.sleep(15000).then(() => null)]);
    if (browser) await browser.context.close().catch(() => {});
    if (cs) await cs.stop({ keep });
    if (keep && cs) console.log(`[ui-e2e] kept ${cs.root}`);
    process.exit(code);
  })());
  const overall = setTimeout(async () => {
    console.error(`[ui-e2e] TIMEOUT after ${timeoutMs / 1000}s`);
    if (shot && browser) await browser.page.screenshot({ path: shot }).catch(() => {});
    console.log(`ui-e2e: ${passed} passed, ${failed + 1} failed`);
    await cleanup(124);
  }, timeoutMs);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => cleanup(130));

  const check = async (name, fn) => {
    try { await fn(); passed++; h.lap(`ok   ${name}`); return true; }
    catch (e) { failed++; h.lap(`FAIL ${name}: ${String(e && e.message || e).split('\n')[0]}`); return false; }
  };

  try {
    cs = await h.startCodeServer({ trusted, vsix: a.vsix });
    browserP = h.launchChromium(cs.root);
    browser = await browserP;
    const { page } = browser;
    if (verbose) {
      page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    }
    // openFile: the workbench opens this file at startup (the same payload key VS Code uses for
    // "Extension Development Host" windows). Quick Open (Ctrl+P) is the fallback below.
    const payload = [['skipWelcome', 'true'], ['openFile', h.remoteUri(cs.authority, path.join(workspace, openRel))]];
    if (a.ext) payload.unshift(['extensionDevelopmentPath', h.remoteUri(cs.authority, path.resolve(a.ext))]);
    await page.goto(h.workbenchUrl(cs.authority, workspace, payload), { waitUntil: 'domcontentloaded', timeout: 180000 });

    const base = path.basename(openRel);
    const ok = await check('workbench loaded', async () => {
      await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
    }) && await check(`opened ${openRel}`, async () => {
      const activeTab = page.locator('.tabs-container .tab.active', { hasText: base });
      let opened = false;
      try { await activeTab.waitFor({ timeout: 20000 }); opened = true; } catch { h.lap('openFile payload did not open the file; trying Quick Open'); }
      // Quick Open (Ctrl+P) finds nested files too; it searches with code-server's ripgrep.
      for (let attempt = 1; !opened && attempt <= 3; attempt++) {
        await page.locator('.monaco-workbench').click({ position: { x: 5, y: 400 } }).catch(() => {});
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 10000 });
        await input.fill(openRel);
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
        try {
          await row.waitFor({ timeout: 15000 });
          await page.keyboard.press('Enter');
          await activeTab.waitFor({ timeout: 10000 });
          opened = true;
        } catch (e) {
          if (verbose) h.lap(`quick open attempt ${attempt} failed: ${String(e.message).split('\n')[0]}`);
          await page.keyboard.press('Escape');
          if (attempt === 3) throw e;
        }
      }
      await page.locator('.editor-instance .view-lines').first().waitFor({ timeout: stepTimeout });
    });
    if (ok) {
      await check('squiggle in the editor', async () => {
        await page.locator('.editor-instance .squiggly-error, .editor-instance .squiggly-warning, .editor-instance .squiggly-info')
          .first().waitFor({ timeout: stepTimeout });
      });
      if (a.problem) {
        await check(`Problems panel shows "${a.problem}"`, async () => {
          await page.keyboard.press('Control+Shift+M');
          const panel = page.locator('.markers-panel');
          try { await panel.first().waitFor({ timeout: 5000 }); } catch {
            await page.locator('[id="status.problems"]').first().click();
          }
          await page.locator('.markers-panel .monaco-list-row', { hasText: a.problem }).first().waitFor({ timeout: stepTimeout });
          const text = (await panel.first().innerText()).replace(/\s+/g, ' ').slice(0, 400);
          console.log(`[ui-e2e] problems panel: ${text}`);
        });
      }
      if (a.view) {
        await check(`view "${a.view}" shows ${rows.length ? rows.join(', ') : 'its header'}`, async () => {
          // A view is a pane with a header inside its container (side bar, panel, secondary side bar). When it
          // is the only view of its container, the header is hidden and the container title reads
          // "CONTAINER: VIEW" instead, so accept either and search rows in that scope.
          const header = page.locator('.pane-header:visible', { has: page.locator('.title', { hasText: new RegExp(`^\\s*${esc(a.view)}\\s*$`, 'i') }) }).first();
          const part = page.locator('.part.sidebar, .part.auxiliarybar, .part.panel', { has: page.locator('.composite.title', { hasText: a.view }) }).first();
          const visible = async (ms) => {
            try { await header.or(part).first().waitFor({ timeout: ms }); return true; } catch { return false; }
          };
          if (!(await visible(5000))) {
            // Not in a visible container: "Focus on <Title> View" exists for every contributed view.
            await page.keyboard.press('F1');
            const input = page.locator('.quick-input-widget input');
            await input.waitFor({ timeout: 10000 });
            await input.fill(`>Focus on ${a.view} View`);
            await page.locator('.quick-input-list .monaco-list-row', { hasText: `Focus on ${a.view} View` }).first().waitFor({ timeout: 10000 });
            await page.keyboard.press('Enter');
            if (!(await visible(stepTimeout))) throw new Error(`view "${a.view}" not found`);
          }
          let scope;
          if (await header.count()) {
            if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
            scope = page.locator('.pane', { has: header }).first();
          } else {
            scope = part;
          }
          for (const label of rows) {
            await scope.locator('.monaco-list-row', { hasText: label }).first().waitFor({ timeout: stepTimeout });
          }
        });
      }
    }
    if (shot) {
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: shot });
      h.lap(`screenshot ${shot}`);
    }
    clearTimeout(overall);
    console.log(`ui-e2e: ${passed} passed, ${failed} failed`);
    await cleanup(failed ? 1 : 0);
  } catch (e) {
    clearTimeout(overall);
    console.error(`[ui-e2e] DRIVER FAILED: ${e && e.stack || e}`);
    if (shot && browser) await browser.page.screenshot({ path: shot }).catch(() => {});
    await cleanup(2);
  }
}

main();
