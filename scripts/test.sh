#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium and a CJK font for the browser tests (without the font Chinese renders as boxes).
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q ".[test]"
exec .venv/bin/python -m pytest "$@"
