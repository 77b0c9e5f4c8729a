#!/usr/bin/env bash
# Install the archive, index the sample minutes in corpus/ and serve the search page.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q .
.venv/bin/archive ingest corpus
exec .venv/bin/archive serve "$@"
