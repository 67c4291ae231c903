#!/usr/bin/env bash
# Desktop smoke test: runs the built app in a real window under Xvfb with
# SWITCHYARD_SMOKE_EXIT=1, which makes it exit 0 once the page has loaded, fetched `app_info`
# over IPC and shown the version. Builds nothing: run `make desktop-build` first
# (or just `make desktop-test`).
#
#   tests/desktop/smoke.sh [path/to/switchyard-desktop]
# Env: SMOKE_TIMEOUT (seconds, default 90).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${1:-${CARGO_TARGET_DIR:-$root/target}/debug/switchyard-desktop}"
timeout_s="${SMOKE_TIMEOUT:-90}"

fail() {
  echo "smoke: $*" >&2
  echo "smoke: 0 passed, 1 failed"
  exit 1
}

[[ -x "$bin" ]] || fail "no app binary at $bin (build it with: make desktop-build)"
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (scripts/install-deps.sh installs it)"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "smoke: launching $bin under Xvfb (timeout ${timeout_s}s)"
start=$SECONDS
set +e
# `timeout` runs inside xvfb-run so that xvfb-run always gets to stop its Xvfb.
SWITCHYARD_SMOKE_EXIT=1 xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  timeout --kill-after=10 "$timeout_s" "$bin" >"$log" 2>&1 </dev/null
rc=$?
set -e
elapsed=$((SECONDS - start))

if [[ $rc -eq 0 ]] && grep -q '^smoke: ok' "$log"; then
  grep '^smoke:' "$log"
  echo "smoke: the window opened and the UI called Rust in ${elapsed}s"
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
