#!/usr/bin/env bash
# Installs what is missing, builds, and serves Moim:  ./run.sh [--port N]
set -euo pipefail
cd "$(dirname "$0")"
PORT=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="${2:?--port needs a number}"; shift 2 ;;
    --port=*) PORT="${1#*=}"; shift ;;
    -h|--help) echo "usage: ./run.sh [--port N]   (default 8080)"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$PORT" in ''|*[!0-9]*) echo "run.sh: --port needs a number, got '$PORT'" >&2; exit 2 ;; esac
scripts/setup.sh
echo "[moim] open http://localhost:$PORT  (Ctrl+C stops the server)"
exec build/native/server/moim-server --port "$PORT" --root build/wasm/site --data-dir "${MOIM_DATA_DIR:-moim-data}"
