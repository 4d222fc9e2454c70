'use strict';
// Shared plumbing for run.js (extension-host tests) and ui-e2e.js (UI check): start an isolated
// code-server 4.100.3 (VS Code 1.100.3) on a free 127.0.0.1 port, launch Debian chromium headless
// through playwright-core, and tear everything down again.
//
// code-server and playwright-core come from the cache folder that scripts/vscode/install-code-server.sh
// fills: $PGREADY_VSCODE_CACHE, default ~/.cache/pgready-vscode.

const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const { spawn, spawnSync } = require('child_process');

const CACHE_DIR = process.env.PGREADY_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'pgready-vscode');
const CHROMIUM = process.env.PGREADY_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage'];

const t0 = Date.now();
function lap(what) {
  console.log(`[vscode-host ${((Date.now() - t0) / 1000).toFixed(2)}s] ${what}`);
}

/** Minimal --key value / --key=value / --flag parser. */
function parseArgs(argv, booleans = []) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) { out[a.slice(2, eq)] = a.slice(eq + 1); continue; }
    const key = a.slice(2);
    if (booleans.includes(key) && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) { out[key] = 'true'; continue; }
    if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
    out[key] = argv[++i];
  }
  return out;
}

function asBool(v, dflt) {
  if (v === undefined) return dflt;
  if (/^(1|true|yes|on)$/i.test(String(v))) return true;
  if (/^(0|false|no|off)$/i.test(String(v))) return false;
  throw new Error(`not a boolean: ${v}`);
}

function codeServerBin() {
  const bin = path.join(CACHE_DIR, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}; run scripts/vscode/install-code-server.sh ${CACHE_DIR}`);
  }
  return bin;
}

function loadPlaywright() {
  try {
    return require(path.join(CACHE_DIR, 'node_modules', 'playwright-core'));
  } catch (e) {
    try { return require('playwright-core'); } catch { /* fall through */ }
    throw new Error(`playwright-core not found in ${CACHE_DIR}/node_modules; run scripts/vscode/install-code-server.sh`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function get(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Process groups of code-servers started here and not yet stopped: killed on any exit of this process,
// including an exit while a start is still in progress.
const liveGroups = new Set();
const liveRoots = new Set();
function killAllNow() {
  for (const pgid of liveGroups) { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } }
  liveGroups.clear();
  for (const root of liveRoots) { try { fs.rmSync(root, { recursive: true, force: true }); } catch { /* ignore */ } }
  liveRoots.clear();
}
process.on('exit', killAllNow);

/**
 * Start code-server in its own process group with every writable location under a fresh temp root.
 * opts: { trusted: boolean, vsix?: string, settings?: object, env?: object }
 * Returns { port, authority, root, userDataDir, extensionsDir, logFile, stop() }.
 */
async function startCodeServer(opts = {}) {
  const bin = codeServerBin();
  const root = fs.mkdtempSync(path.join(process.env.PGREADY_VSCODE_TMP || os.tmpdir(), 'pgready-vscode-'));
  const dirs = {
    config: path.join(root, 'xdg', 'config'), data: path.join(root, 'xdg', 'data'), cache: path.join(root, 'xdg', 'cache'),
    tmp: path.join(root, 'tmp'), userData: path.join(root, 'user-data'), extensions: path.join(root, 'extensions'),
  };
  liveRoots.add(root);
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });

  const trusted = opts.trusted !== false;
  // User settings live on the server side in code-server (<user-data-dir>/User/settings.json).
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.enabled': false,
    'files.watcherExclude': { '**/node_modules/**': true },
    // Workspace trust. trusted: code-server runs with --disable-workspace-trust (isTrusted === true).
    // untrusted: trust stays enabled, nothing is trusted yet (fresh browser profile, fresh user data),
    // and the startup "Do you trust the authors" dialog is switched off, so the window opens in
    // Restricted Mode and vscode.workspace.isTrusted === false in the extension host.
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...(opts.settings || {}),
  };
  fs.writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');

  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.config, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache,
    TMPDIR: dirs.tmp, // ext-host IPC / git sockets
    ...(opts.env || {}),
  };
  delete env.VSCODE_IPC_HOOK_CLI; // when started from a VS Code terminal, do not talk to that VS Code
  delete env.ELECTRON_RUN_AS_NODE;
  const common = ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData];

  if (opts.vsix) {
    const r = spawnSync(bin, [...common, '--install-extension', path.resolve(opts.vsix)], { env, encoding: 'utf8', timeout: 120000 });
    const out = `${r.stdout || ''}${r.stderr || ''}`;
    if (r.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${opts.vsix} failed:\n${out}`);
    lap(`installed ${path.basename(opts.vsix)}`);
  }

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const logFile = path.join(root, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const args = ['--bind-addr', authority, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened', ...common];
  if (trusted) args.push('--disable-workspace-trust');
  const child = spawn(bin, args, { env, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  liveGroups.add(child.pid);
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });

  let stopped = false;
  const stop = async ({ keep = false } = {}) => {
    if (!stopped) {
      stopped = true;
      for (const [sig, wait] of [['SIGTERM', 1500], ['SIGKILL', 1000]]) {
        try { process.kill(-child.pid, sig); } catch { break; } // group gone
        const until = Date.now() + wait;
        while (Date.now() < until) {
          try { process.kill(-child.pid, 0); } catch { break; }
          await sleep(50);
        }
      }
      liveGroups.delete(child.pid);
    }
    liveRoots.delete(root);
    if (!keep) fs.rmSync(root, { recursive: true, force: true });
  };
  // Synchronous best-effort kill for process 'exit' handlers.
  const killNow = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };

  const deadline = Date.now() + 60000;
  while (true) {
    if (exited) {
      const log = fs.readFileSync(logFile, 'utf8');
      await stop({ keep: true });
      throw new Error(`code-server exited (${JSON.stringify(exited)}) before /healthz answered; log ${logFile}:\n${log.slice(-3000)}`);
    }
    if ((await get(`http://${authority}/healthz`)) === 200) break;
    if (Date.now() > deadline) { await stop({ keep: true }); throw new Error(`code-server not healthy after 60s; log ${logFile}`); }
    await sleep(100);
  }
  lap(`code-server up on ${authority} (trusted=${trusted})`);
  return { port, authority, root, dirs, logFile, pid: child.pid, stop, killNow };
}

/** Launch Debian chromium headless with a fresh profile inside `root`. Returns { context, page }. */
async function launchChromium(root, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = loadPlaywright();
  const profile = path.join(root, 'chromium-profile');
  fs.mkdirSync(profile, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport, args: CHROMIUM_ARGS,
    env: { ...process.env, TMPDIR: path.join(root, 'tmp') },
  });
  const page = context.pages()[0] || await context.newPage();
  lap(`chromium up (${context.browser() ? context.browser().version() : 'persistent context'})`);
  return { context, page };
}

const HOST_VSCODE = '1.100.3';
/** Warn when engines.vscode asks for more than the host has: VS Code then silently does not load the extension. */
function checkEngines(extDir) {
  let range;
  try { range = (JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8')).engines || {}).vscode; } catch { return; }
  if (!range) { console.warn(`[vscode-host] WARNING: ${extDir}/package.json has no engines.vscode`); return; }
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(range);
  if (!m) return;
  const want = [+m[1], +m[2], +(m[3] || 0)];
  const have = HOST_VSCODE.split('.').map(Number);
  const cmp = want[0] - have[0] || want[1] - have[1] || want[2] - have[2];
  if (cmp > 0) {
    console.warn(`[vscode-host] WARNING: engines.vscode "${range}" is newer than the host (VS Code ${HOST_VSCODE}); `
      + 'the extension will NOT be loaded ("extension not found"). Use e.g. "^1.90.0".');
  }
}

/** Workbench URL for a folder, with an optional `payload` (array of [key, value] pairs). */
function workbenchUrl(authority, folder, payload) {
  let url = `http://${authority}/?folder=${encodeURIComponent(folder)}`;
  if (payload && payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** vscode-remote URI for an absolute local path (what the workbench payload wants). */
function remoteUri(authority, absPath) {
  return `vscode-remote://${authority}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`;
}

module.exports = {
  CACHE_DIR, CHROMIUM, HOST_VSCODE, checkEngines, killAllNow, lap, parseArgs, asBool, startCodeServer, launchChromium, workbenchUrl, remoteUri, sleep, loadPlaywright,
};
