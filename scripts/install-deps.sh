#!/usr/bin/env bash
# Installs the Debian packages needed to build the desktop app and run its tests
# (postgresql: the SQL node tests start a throwaway server from its binaries).
# Idempotent: a fast no-op when everything is already installed.
#   scripts/install-deps.sh            build + test packages
#   scripts/install-deps.sh --build    only what building the app needs
set -euo pipefail

BUILD_PKGS=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev librsvg2-dev libxdo-dev file)
TEST_PKGS=(xvfb xauth chromium webkit2gtk-driver postgresql)

case "${1:-}" in
  --build) PKGS=("${BUILD_PKGS[@]}") ;;
  "") PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: not a Debian-like system (no dpkg/apt); install these yourself: ${PKGS[*]}" >&2
  exit 0
fi

missing=()
for pkg in "${PKGS[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root, no sudo" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
