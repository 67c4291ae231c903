#!/usr/bin/env bash
# Desktop smoke test: runs the built app in a real window under Xvfb with
# SWITCHYARD_SMOKE_EXIT=1, which makes it exit 0 once the page has loaded, fetched `app_info`
# over IPC and shown the version. It starts as a first-time user would (an empty data folder,
# no workflows folder nearby) and checks that the templates became the user's first workflows
# and that the engine stopped cleanly on exit. Builds nothing: run `make desktop-build` first
# (or just `make desktop-test`).
#
#   tests/desktop/smoke.sh [path/to/switchyard-desktop]
# Env: SMOKE_TIMEOUT (seconds, default 90).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="$(realpath -m "${1:-${CARGO_TARGET_DIR:-$root/target}/debug/switchyard-desktop}")"
timeout_s="${SMOKE_TIMEOUT:-90}"

fail() {
  echo "smoke: $*" >&2
  echo "smoke: 0 passed, 1 failed"
  exit 1
}

[[ -x "$bin" ]] || fail "no app binary at $bin (build it with: make desktop-build)"
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (scripts/install-deps.sh installs it)"

work="$(mktemp -d)"
log="$work/app.log"
trap 'rm -rf "$work"' EXIT
data="$work/data"
mkdir -p "$work/cwd"

echo "smoke: launching $bin under Xvfb (timeout ${timeout_s}s)"
start=$SECONDS
set +e
# `timeout` runs inside xvfb-run so that xvfb-run always gets to stop its Xvfb.
(cd "$work/cwd" && SWITCHYARD_SMOKE_EXIT=1 SWITCHYARD_DATA_DIR="$data" SWITCHYARD_LISTEN=127.0.0.1:0 \
  SWITCHYARD_WORKFLOWS_DIR= xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  timeout --kill-after=10 "$timeout_s" "$bin" >"$log" 2>&1 </dev/null)
rc=$?
set -e
elapsed=$((SECONDS - start))

if [[ $rc -eq 0 ]] && grep -q '^smoke: ok' "$log"; then
  grep '^smoke:' "$log"
  echo "smoke: the window opened and the UI called Rust in ${elapsed}s"
  seeded=("$data"/workflows/*.json)
  [[ -f "$data/workflows/lead-processing.json" ]] \
    || fail "the first start did not copy the templates to $data/workflows"
  [[ -f "$data/workflows/workspace.json" ]] \
    || fail "the first start did not write the template workspace settings"
  grep -q 'the engine stopped cleanly' "$log" || { cat "$log" >&2; fail "the engine did not stop cleanly"; }
  [[ ! -e "$data/switchyard.db-wal" ]] || fail "the database was not closed (WAL left behind)"
  echo "smoke: first start copied ${#seeded[@]} files (templates and workspace.json); the engine stopped cleanly"
  echo "smoke: 1 passed, 0 failed"
  exit 0
fi

echo "---- app output ----" >&2
cat "$log" >&2
echo "--------------------" >&2
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  fail "the app did not report the UI ready within ${timeout_s}s"
fi
fail "the app exited with status $rc"
