#!/usr/bin/env bash
# Shared by ./run.sh and ./test.sh: install what is missing (idempotent, quiet when all is there),
# fetch Dear ImGui from Debian's source package, then build the server (native) and the client (wasm).
#   scripts/setup.sh [--release|--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_TYPE=Release
[ "${1:-}" = "--debug" ] && BUILD_TYPE=Debug

log() { printf '[moim] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Debian packages ------------------------------------------------------------------------------
APT_PACKAGES=(
  cmake make g++ xz-utils ca-certificates
  nlohmann-json3-dev libboost-dev libgtest-dev      # server + native tests
  libbenchmark-dev                                  # microbenchmarks (bench/micro)
  brotli                                            # precompressed site assets (.br)
  emscripten                                        # client toolchain (emcc 3.1.6)
  python3-fonttools fonts-roboto-unhinted fonts-nanum  # UI fonts, subset at build time
  chromium                                          # end-to-end tests
  clang libclang-rt-14-dev llvm                     # fuzzing (libFuzzer, ASan/UBSan runtimes, llvm-symbolizer)
  libsodium-dev libsqlite3-dev                      # server persistence: secrets/Argon2id, rooms database
  libssl-dev openssl                                # server TLS (--cert/--key); openssl makes the tests' certificate
  iptables                                          # e2e: cuts the media path between browsers (ICE restart test)
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
# Dear ImGui's sources live only in Debian's source package: needs a deb-src entry.
SRC_LIST=/etc/apt/sources.list.d/moim-deb-src.sources
need_update=0
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  log "adding a deb-src entry for Debian bookworm (Dear ImGui sources)"
  as_root tee "$SRC_LIST" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  need_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $need_update = 1 ]; then
  log "installing: ${missing[*]:-(package lists only)}"
  as_root apt-get update -qq
  if [ ${#missing[@]} -gt 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# ---- Dear ImGui 1.86 from Debian's source package, checksum-verified ------------------------------
IMGUI_TARBALL=imgui_1.86+ds.orig.tar.xz
IMGUI_SHA256=0dace0e8e57d298eb6e93af12dc19420cb96330832f6495c733b90aeeef11f64
THIRD=$ROOT/build/third_party
IMGUI_DIR=$THIRD/imgui-1.86
if [ ! -f "$IMGUI_DIR/imgui.cpp" ]; then
  mkdir -p "$THIRD"
  if [ ! -f "$THIRD/$IMGUI_TARBALL" ]; then
    log "fetching Dear ImGui sources (apt-get source imgui)"
    (cd "$THIRD" && apt-get source --download-only imgui=1.86+ds-1 >/dev/null 2>&1) || {
      as_root apt-get update -qq
      (cd "$THIRD" && apt-get source --download-only imgui=1.86+ds-1 >/dev/null)
    }
  fi
  echo "$IMGUI_SHA256  $THIRD/$IMGUI_TARBALL" | sha256sum --check --quiet || {
    echo "Dear ImGui tarball checksum mismatch" >&2; exit 1; }
  tar -C "$THIRD" -xf "$THIRD/$IMGUI_TARBALL"
fi

# A folder holding only nlohmann/ for the wasm build (never /usr/include itself).
JSON_INC=$THIRD/json-include
if [ ! -f "$JSON_INC/nlohmann/json.hpp" ]; then
  mkdir -p "$JSON_INC" && cp -r /usr/include/nlohmann "$JSON_INC/"
fi

# ---- npm packages for the end-to-end tests (pinned by package-lock.json) --------------------------
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  log "installing npm packages for tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ---- build ----------------------------------------------------------------------------------------
JOBS=$(nproc)
start=$(date +%s)
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=$BUILD_TYPE >/dev/null
build() {  # quiet on success, the whole log on failure
  local dir=$1; shift
  if ! "$@" >"$dir.log" 2>&1; then cat "$dir.log" >&2; echo "[moim] build failed: $dir" >&2; exit 1; fi
}
# MOIM_NATIVE_TARGETS: build only these native targets (bench.sh skips the tests); default: all.
native_targets=()
[ -n "${MOIM_NATIVE_TARGETS:-}" ] && read -ra native_targets <<<"--target $MOIM_NATIVE_TARGETS"
build build/native cmake --build build/native -j"$JOBS" "${native_targets[@]}"
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten finds acorn there
if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=$BUILD_TYPE \
    -DMOIM_JSON_INCLUDE="$JSON_INC" -DMOIM_IMGUI_DIR="$IMGUI_DIR" >/dev/null
fi
build build/wasm cmake --build build/wasm -j"$JOBS"
log "built in $(( $(date +%s) - start )) s"
