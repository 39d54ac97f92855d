#!/usr/bin/env bash
# Loads a triagebench dashboard in Debian's headless Chromium and fails on a console error, a page
# error, a failed or outgoing request, or a chart that is missing or drawn empty; saves a
# full-page screenshot. Installs what it needs when missing: Debian's chromium (apt-get) and the
# pinned playwright-core of tests/browser (npm ci). No browser is downloaded by npm.
#
#   .ci/browser-check.sh <dashboard.html> [screenshot.png] [check flags...]
#   .ci/browser-check.sh                  # renders the demo dashboard (every chart) and checks it
#
# With a page given, charts listed in $BROWSER_CHECK_ALLOW_EMPTY (comma separated, default
# `trials`: a single-trial run has no trial figures) may be "no data yet" panels. The demo page
# must draw every chart. Exit 0 on success, non-zero on any failure.
set -euo pipefail
caller=$(pwd)
cd "$(dirname "$0")/.."
root=$(pwd)

abs() { case "$1" in /*) printf '%s\n' "$1" ;; "") ;; *) printf '%s/%s\n' "$caller" "$1" ;; esac; }
html=$(abs "${1:-}")
shot=$(abs "${2:-}")
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift

if [ -z "$html" ]; then
  echo "browser-check: rendering the demo dashboard (cargo test --workspace --test dashboard)"
  # --workspace (not -p evaluator): the same feature set as `just test`, so its build is reused
  cargo test --quiet --locked --workspace --test dashboard demo_dashboard_for_the_browser_check
  target=${CARGO_TARGET_DIR:-$root/target}
  html="$target/tmp/dashboard-demo/dashboard.html"
  allow_empty=${BROWSER_CHECK_ALLOW_EMPTY:-}
else
  allow_empty=${BROWSER_CHECK_ALLOW_EMPTY-trials}
fi
[ -f "$html" ] || { echo "browser-check: no such file: $html" >&2; exit 2; }
shot=${shot:-${html%.html}.png}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "browser-check: installing Debian's chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
"$chromium" --version 2>/dev/null | head -n1 || true

command -v node >/dev/null || { echo "browser-check: node is required (Node.js 20 or newer)" >&2; exit 2; }
cd tests/browser
want=$(node -p 'require("./package-lock.json").packages["node_modules/playwright-core"].version')
have=$(node -p 'try { require("./node_modules/playwright-core/package.json").version } catch { "" }')
if [ "$want" != "$have" ]; then
  echo "browser-check: npm ci (playwright-core $want)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

CHROMIUM="$chromium" node check-dashboard.mjs "$html" "$shot" --allow-empty="$allow_empty" "$@"
