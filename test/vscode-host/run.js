#!/usr/bin/env node
'use strict';
// Run extension-host integration tests inside a real VS Code 1.100.3 (code-server 4.100.3) Node
// extension host, driven by headless Debian chromium. Works offline; see scripts/vscode/README.md.
//
//   node test/vscode-host/run.js --ext <extensionDevelopmentPath> --tests <abs path of CJS module exporting run()>
//        --workspace <folder> [--trusted=false] [--screenshot out.png] [--timeout 180] [--keep] [--verbose]
//
// code-server's CLI rejects --extensionDevelopmentPath/--extensionTestsPath, so both go into the workbench
// URL's `payload`. The workbench then runs the tests module's run() in the extension host, forwards the
// extension host's console through window.codeAutomationLog and ends with window.codeAutomationExit(code).
// Exit code: the test code (0 pass, 1 fail), 124 on timeout, 2 on a driver error.
// Environment variables of this process reach the extension host (e.g. PGREADY_VSCODE_TESTS for mocha-runner.js).

const fs = require('fs');
const path = require('path');
const util = require('util');
const h = require('./harness');

function usage(msg) {
  if (msg) console.error(`run.js: ${msg}`);
  console.error('usage: node test/vscode-host/run.js --ext DIR --tests FILE.js --workspace DIR [--trusted=false] [--screenshot out.png] [--timeout SECONDS] [--keep] [--verbose]');
  process.exit(2);
}


/** The server's log files that explain missing file events or extension-host trouble. */
function findLogs(dir, out = []) {
  let entries = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return out; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findLogs(p, out);
    else if (/watcher|remoteagent|exthost/i.test(e.name)) out.push(p);
  }
  return out;
}

async function main() {
  let a;
  try { a = h.parseArgs(process.argv.slice(2), ['trusted', 'keep', 'verbose']); } catch (e) { usage(e.message); }
  if (!a.ext || !a.tests || !a.workspace) usage('--ext, --tests and --workspace are required');
  const ext = path.resolve(a.ext);
  const tests = path.resolve(a.tests);
  const workspace = path.resolve(a.workspace);
  for (const [k, p] of [['--ext', path.join(ext, 'package.json')], ['--tests', tests], ['--workspace', workspace]]) {
    if (!fs.existsSync(p)) usage(`${k}: ${p} does not exist`);
  }
  const trusted = h.asBool(a.trusted, true);
  const timeoutMs = Number(a.timeout || process.env.PGREADY_VSCODE_TIMEOUT || 180) * 1000;
  const keep = h.asBool(a.keep, false);
  const verbose = h.asBool(a.verbose, false);
  const shot = a.screenshot ? path.resolve(a.screenshot) : null;

  h.checkEngines(ext);

  let cs = null, browser = null, browserP = null, exitCode = 2, done = false;
  const overall = setTimeout(() => {
    if (done) return;
    console.error(`[vscode-host] TIMEOUT after ${timeoutMs / 1000}s waiting for codeAutomationExit`);
    finish(124);
  }, timeoutMs);

  let finishing = null;
  async function finish(code) {
    if (finishing) return finishing;
    done = true;
    exitCode = code;
    finishing = (async () => {
      clearTimeout(overall);
      // Chromium may still be starting (timeout or signal during launch): wait for it so it can be closed.
      if (!browser && browserP) browser = await Promise.race([browserP.catch(() => null), h.sleep(15000).then(() => null)]);
      if (shot && browser) {
        try { fs.mkdirSync(path.dirname(shot), { recursive: true }); await browser.page.screenshot({ path: shot }); h.lap(`screenshot ${shot}`); }
        catch (e) { h.lap(`screenshot failed: ${e.message}`); }
      }
      if (code !== 0 && cs) {
        try { const log = fs.readFileSync(cs.logFile, 'utf8'); console.error(`--- code-server log (tail) ---\n${log.slice(-4000)}`); } catch { /* ignore */ }
        // The server's own logs (file watcher, remote agent) say why events or extensions went missing.
        for (const file of findLogs(path.join(cs.dirs.userData, 'logs'))) {
          try { console.error(`--- ${path.relative(cs.dirs.userData, file)} (tail) ---\n${fs.readFileSync(file, 'utf8').slice(-2000)}`); } catch { /* ignore */ }
        }
      }
      if (browser) await browser.context.close().catch(() => {});
      if (verbose) h.lap('chromium closed');
      if (cs) await cs.stop({ keep });
      if (verbose) h.lap('code-server stopped');
      if (keep && cs) console.log(`[vscode-host] kept ${cs.root}`);
      h.lap(`exit ${code}`);
      process.exit(code);
    })();
    return finishing;
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => finish(130));

  try {
    cs = await h.startCodeServer({ trusted });
    if (done) return;
    browserP = h.launchChromium(cs.root);
    browser = await browserP;
    if (done) return;
    const { page } = browser;
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      let text;
      try { text = util.format(...(Array.isArray(args) ? args : [args])); } catch { text = String(args); }
      // The workbench's own console is forwarded too; drop the offline gallery noise (harmless).
      if (!verbose && /ENOTFOUND open-vsx\.org|^Creating a socket|connection token/.test(text)) return;
      for (const line of text.replace(/\n$/, '').split('\n')) {
        console.log(`[exthost ${type}] ${line}`);
        // Re-print mocha-runner's closing line on its own so CI log readers see "vscode-host: N passed, N failed".
        if (/^\d+ passed, \d+ failed(, \d+ skipped)?$/.test(line.trim())) console.log(`vscode-host: ${line.trim()}`);
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      h.lap(`codeAutomationExit(${code})`);
      finish(typeof code === 'number' ? code : 1);
    });
    page.on('crash', () => { console.error('[vscode-host] the browser page crashed'); finish(2); });
    if (verbose) {
      page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    }
    const payload = [
      ['extensionDevelopmentPath', h.remoteUri(cs.authority, ext)],
      ['extensionTestsPath', h.remoteUri(cs.authority, tests)],
      ['skipWelcome', 'true'],
    ];
    const url = h.workbenchUrl(cs.authority, workspace, payload);
    h.lap(`opening workbench for ${workspace}`);
    // A loaded 2-core machine can take well over the default 30 s to serve the workbench.
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 180000 });
    // From here on codeAutomationExit (or the timeout) ends the run.
  } catch (e) {
    if (!done) { console.error(`[vscode-host] DRIVER FAILED: ${e && e.stack || e}`); finish(2); }
  }
}

main();
