#!/bin/sh
# Install code-server 4.100.3 (VS Code 1.100.3 server + web workbench + Node extension host) and
# playwright-core into a cache folder, on a machine whose only outside access is the npm registry
# and Debian's apt. Idempotent: a second run with everything in place exits in well under a second.
#
#   usage: scripts/vscode/install-code-server.sh [CACHE_DIR]
#          (default: $PGREADY_VSCODE_CACHE, else $HOME/.cache/pgready-vscode; test/vscode-host/*.js read the same variable)
#
# Afterwards:  CACHE_DIR/node_modules/.bin/code-server
#              CACHE_DIR/node_modules/playwright-core     (test/vscode-host/*.js require it from here)
#              /usr/bin/chromium                          (Debian)
#
# Why the odd environment below (all measured on this machine type):
#  * code-server@4.100.3 is the newest release whose installer accepts Node 20 (4.103+ want 22).
#  * its postinstall refuses to run as root without npm_config_unsafe_perm=true (npm 11 warns
#    "Unknown env config unsafe-perm": harmless, the script reads the variable itself).
#  * kerberos (built by the postinstall) needs gssapi headers: Debian libkrb5-dev.
#  * @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache file exists; we seed
#    that cache (under $TMPDIR) with a tarball of Debian's rg 13.0.0.
#  * node-pty's postinstall runs `npx node-gyp`; ~/.npmrc has yes=false, so npx would abort: npm_config_yes=true.
#  * npm 11's allowScripts policy: dependency install scripts that no allowScripts entry covers can be
#    skipped. code-server's postinstall runs further `npm install`s inside lib/vscode whose native
#    modules (node-pty, spdlog, kerberos, watcher, ...) must build. The env variables below reach those
#    nested npm processes too, so every install script runs. The result is verified at the end.
set -eu

CS_VERSION=4.100.3
PW_VERSION=1.65.1
CACHE=${1:-${PGREADY_VSCODE_CACHE:-${HOME:?}/.cache/pgready-vscode}}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
STAMP="$CACHE/.pgready-installed"
WANT_STAMP="code-server@$CS_VERSION playwright-core@$PW_VERSION"
CS_BIN="$CACHE/node_modules/.bin/code-server"
t0=$(date +%s)

say() { echo "[install-code-server] $*"; }
# code-server writes ~/.config/code-server/config.yaml and ~/.local/share/code-server unless XDG_* point elsewhere,
# even for --version; its first output line may be such an "info" line, so look for the version line.
cs_version() {
  XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CACHE_HOME="$CACHE/xdg/cache" \
    "$CS_BIN" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n1
}

is_installed() {
  [ -x "$CS_BIN" ] && [ -x /usr/bin/chromium ] && [ -f "$STAMP" ] &&
    [ "$(cat "$STAMP")" = "$WANT_STAMP" ] &&
    [ -f "$CACHE/node_modules/playwright-core/package.json" ] &&
    cs_version | grep -q "^$CS_VERSION "
}

# Fast path (no lock, no network).
if is_installed; then
  say "code-server $CS_VERSION, playwright-core $PW_VERSION and chromium already in $CACHE"
  exit 0
fi

# Serialize concurrent installs into the same folder.
exec 9>"$CACHE/.install.lock"
flock 9
if is_installed; then say "installed by a concurrent run"; exit 0; fi

# ---- Debian packages -----------------------------------------------------------------------------
need_apt=""
for p in libkrb5-dev ripgrep chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt="$need_apt $p"
done
if [ -n "$need_apt" ]; then
  [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
  say "apt-get install$need_apt"
  export DEBIAN_FRONTEND=noninteractive
  # apt-get update first: on a fresh machine the package lists are empty or stale.
  $SUDO apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $need_apt >/dev/null
  say "apt done after $(( $(date +%s) - t0 ))s"
fi
[ -x /usr/bin/chromium ] || { echo "chromium is missing after apt-get" >&2; exit 1; }

# ---- npm install ---------------------------------------------------------------------------------
TMPD="$CACHE/tmp"
rm -rf "$TMPD"
mkdir -p "$TMPD/rgstage"
RGCACHE="$TMPD/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RGCACHE"
cp "$(command -v rg)" "$TMPD/rgstage/rg"
tar czf "$RGCACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPD/rgstage" rg

cd "$CACHE"
cat > package.json <<EOF
{
  "name": "pgready-vscode-cache",
  "private": true,
  "description": "code-server + playwright-core for pgready's extension-host and UI tests (installed by scripts/vscode/install-code-server.sh)",
  "dependencies": { "code-server": "$CS_VERSION", "playwright-core": "$PW_VERSION" },
  "allowScripts": { "code-server": true }
}
EOF
LOG="$CACHE/install.log"
say "npm install code-server@$CS_VERSION playwright-core@$PW_VERSION (about 90-150 s; log: $LOG)"
if ! env TMPDIR="$TMPD" \
    npm_config_unsafe_perm=true \
    npm_config_yes=true \
    npm_config_ignore_scripts=false \
    npm_config_dangerously_allow_all_scripts=true \
    npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false \
    npm_config_package_lock=false \
    XDG_CONFIG_HOME="$TMPD/xdg-config" XDG_DATA_HOME="$TMPD/xdg-data" \
    npm install --foreground-scripts >"$LOG" 2>&1; then
  tail -n 40 "$LOG" >&2
  echo "npm install failed, full log: $LOG" >&2
  exit 1
fi

# ---- verify that code-server's postinstall really ran (native modules of VS Code's server) --------
VS="$CACHE/node_modules/code-server/lib/vscode"
missing=""
for f in \
  "$VS/node_modules/node-pty/build/Release/pty.node" \
  "$VS/node_modules/@vscode/spdlog/build/Release/spdlog.node" \
  "$VS/extensions/node_modules"; do
  [ -e "$f" ] || missing="$missing $f"
done
# @vscode/ripgrep 1.18 ships rg in @vscode/ripgrep-linux-x64; older ones download it (seeded cache above).
(cd "$VS" && node -e "process.exit(require('fs').existsSync(require('@vscode/ripgrep').rgPath) ? 0 : 1)") ||
  missing="$missing @vscode/ripgrep(rgPath)"
if [ -n "$missing" ]; then
  echo "code-server's postinstall did not complete (npm skipped install scripts?). Missing:$missing" >&2
  echo "log: $LOG" >&2
  exit 1
fi
ver=$(cs_version)
case "$ver" in "$CS_VERSION "*) ;; *) echo "unexpected code-server --version: $ver" >&2; exit 1;; esac
node -e "require('$CACHE/node_modules/playwright-core')" || { echo "playwright-core does not load" >&2; exit 1; }

rm -rf "$TMPD"
echo "$WANT_STAMP" > "$STAMP"
say "ok: code-server $ver, playwright-core $PW_VERSION, $(/usr/bin/chromium --version 2>/dev/null) in $(( $(date +%s) - t0 ))s"
