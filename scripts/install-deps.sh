#!/usr/bin/env bash
# Installs the Debian packages needed to build the desktop app and run its tests
# (postgresql: the SQL node tests start a throwaway server from its binaries), and the Python
# package the email tests' SMTP server needs (aiosmtpd, for tests/support/smtp_server.py).
# Idempotent: a fast no-op when everything is already installed.
#   scripts/install-deps.sh            build + test packages
#   scripts/install-deps.sh --build    only what building the app needs
set -euo pipefail

# libdbus-1-dev: the OS keychain (Secret Service) that holds the secrets' master key.
# util-linux: `taskset`, which pins a test's server to one CPU (essential on Debian; listed so
# that a trimmed image gets it too).
BUILD_PKGS=(libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev librsvg2-dev libxdo-dev file libdbus-1-dev)
TEST_PKGS=(xvfb xauth chromium webkit2gtk-driver postgresql util-linux)

case "${1:-}" in
  --build) PKGS=("${BUILD_PKGS[@]}") ;;
  "") PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

# aiosmtpd for python3: with pip when python3 has it (pyenv, venvs; on a Debian-managed Python
# only when pip refuses, with --break-system-packages), else Debian's python3-aiosmtpd.
if [[ -z "${1:-}" ]] && ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  if python3 -m pip --version >/dev/null 2>&1; then
    echo "install-deps: pip installing aiosmtpd"
    export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
    if ! out=$(python3 -m pip install -q aiosmtpd 2>&1); then
      if [[ "$out" == *externally-managed* ]]; then
        python3 -m pip install -q --break-system-packages aiosmtpd
      else
        echo "$out" >&2
        exit 1
      fi
    fi
  else
    command -v python3 >/dev/null 2>&1 || PKGS+=(python3)
    PKGS+=(python3-aiosmtpd)
  fi
fi

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
