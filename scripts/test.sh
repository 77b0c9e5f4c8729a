#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium and a CJK font for the browser tests (without the font Chinese renders as boxes), and
# PostgreSQL's server binaries for the PostgreSQL engine's tests (the fixtures start their own servers), and
# libGL, which OpenCV (brought by the OCR engine) loads.
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
    || ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || ! ldconfig -p | grep -q "libGL.so.1 "; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk postgresql libgl1 >/dev/null
fi

python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q ".[test]"
exec .venv/bin/python -m pytest "$@"
