#!/usr/bin/env bash
# Shared by ./run.sh, ./test.sh and ./bench.sh: install what is missing (idempotent, quiet when all is
# there), fetch Dear ImGui from Debian's source package, then build the server (native) and the
# client (wasm). Without options it installs and builds only what running Moim needs: no browser,
# no test or benchmark libraries, no sanitizer toolchain.
#   scripts/setup.sh [--release|--debug] [--for-tests] [--for-bench] [--with-turn] [--with-sfu]
#     --for-tests   also the test tools (./test.sh): Chromium, Firefox ESR + Xvfb + Mesa, clang/llvm
#                   (sanitizers, fuzzing), iptables/iproute2 (network namespaces), coturn, Janus, systemd-analyze,
#                   GoogleTest, Google Benchmark, the npm packages of tests/e2e; builds every native target
#     --for-bench   also what ./bench.sh runs: Google Benchmark, Chromium, the npm packages
#     --with-turn   also coturn (./run.sh --with-turn)
#     --with-sfu    also Janus (./run.sh --with-sfu)
#   MOIM_NATIVE_TARGETS="a b"  build only these native targets (default: moim-server; with
#                              --for-tests: all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_TYPE=Release
FOR_TESTS=0 FOR_BENCH=0 WITH_TURN=0 WITH_SFU=0
for arg in "$@"; do
  case "$arg" in
    --release) BUILD_TYPE=Release ;;
    --debug) BUILD_TYPE=Debug ;;
    --for-tests) FOR_TESTS=1 ;;
    --for-bench) FOR_BENCH=1 ;;
    --with-turn) WITH_TURN=1 ;;
    --with-sfu) WITH_SFU=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[moim] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- Debian packages ------------------------------------------------------------------------------
APT_PACKAGES=(                                      # building and running Moim
  cmake make g++ pkgconf xz-utils ca-certificates
  nlohmann-json3-dev libboost-dev                   # server
  libsodium-dev libsqlite3-dev                      # server persistence: secrets/Argon2id, rooms database
  libssl-dev                                        # server TLS (--cert/--key)
  brotli                                            # precompressed site assets (.br)
  emscripten                                        # client toolchain (emcc 3.1.6)
  python3-fonttools fonts-roboto-unhinted fonts-nanum  # UI fonts, subset at build time
)
TURN_PACKAGES=(coturn python3)                      # scripts/turn.sh (python3: address ranges)
SFU_PACKAGES=(janus)                                # scripts/janus.sh: Janus 1.1.2, VideoRoom + WebSockets
TEST_PACKAGES=(
  libgtest-dev                                      # native tests (GoogleTest)
  libbenchmark-dev                                  # microbenchmarks: test.sh builds every target
  chromium                                          # end-to-end tests
  firefox-esr xvfb libgl1-mesa-dri                  # e2e: a second engine, headed under Xvfb (Mesa: WebGL2)
  clang libclang-rt-14-dev llvm                     # fuzzing (libFuzzer, ASan/UBSan runtimes, llvm-symbolizer)
  openssl                                           # the tests' TLS certificates
  iptables iproute2                                 # e2e: cut the media path; NATs in network namespaces
  "${TURN_PACKAGES[@]}"                             # e2e: real coturn
  "${SFU_PACKAGES[@]}"                              # tests/server: real Janus
  systemd                                           # systemd-analyze verify of deploy/*.service
)
BENCH_PACKAGES=(libbenchmark-dev chromium)          # bench/micro, bench/client
[ $FOR_TESTS = 1 ] && APT_PACKAGES+=("${TEST_PACKAGES[@]}")
[ $FOR_BENCH = 1 ] && APT_PACKAGES+=("${BENCH_PACKAGES[@]}")
[ $WITH_TURN = 1 ] && APT_PACKAGES+=("${TURN_PACKAGES[@]}")
[ $WITH_SFU = 1 ] && APT_PACKAGES+=("${SFU_PACKAGES[@]}")
NEED_NPM=$(( FOR_TESTS || FOR_BENCH ))
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ $NEED_NPM = 1 ]; then
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
else
  command -v node >/dev/null || missing+=(nodejs)   # emscripten runs on node
fi
# Each package once (profiles overlap), in order.
mapfile -t missing < <(printf '%s\n' ${missing[@]+"${missing[@]}"} | awk 'NF && !seen[$0]++')
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
  # Installing coturn enables and starts Debian's coturn.service, whose default configuration has no
  # authentication: an open relay on port 3478. Moim runs coturn itself (scripts/turn.sh).
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now coturn.service >/dev/null 2>&1 || true
    log "disabled Debian's coturn.service (its default configuration is an open relay); Moim starts coturn through scripts/turn.sh"
  fi
  # Likewise janus.service: Debian's configuration serves the Janus API over HTTP (8088) and WebSocket
  # (8188) on every address, without a secret, with demo rooms: anyone could use the SFU. Moim runs
  # Janus itself (scripts/janus.sh). Disabled also where systemd is not running (a container being
  # set up), so a later boot does not start it.
  if [[ " ${missing[*]} " == *" janus "* ]]; then
    if [ -d /run/systemd/system ]; then
      as_root systemctl disable --now janus.service >/dev/null 2>&1 || true
    elif command -v systemctl >/dev/null; then
      as_root systemctl disable janus.service >/dev/null 2>&1 || true
    fi
    log "disabled Debian's janus.service (its default configuration is an open SFU); Moim starts Janus through scripts/janus.sh"
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

# ---- npm packages for the end-to-end tests and bench/client (pinned by package-lock.json) ----------
if [ $NEED_NPM = 1 ] && { [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/puppeteer-core ] ||
    [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; }; then
  log "installing npm packages for tests/e2e"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ---- build ----------------------------------------------------------------------------------------
JOBS=$(nproc)
start=$(date +%s)
# The tests and the microbenchmarks need libraries only --for-tests/--for-bench install: those turn
# them on; a first configure without them turns them off; otherwise the folder keeps its choice.
cmake_options=(-DCMAKE_BUILD_TYPE=$BUILD_TYPE)
fresh=0; [ -f build/native/CMakeCache.txt ] || fresh=1
if [ $FOR_TESTS = 1 ]; then cmake_options+=(-DMOIM_TESTS=ON); elif [ $fresh = 1 ]; then cmake_options+=(-DMOIM_TESTS=OFF); fi
if [ $FOR_TESTS = 1 ] || [ $FOR_BENCH = 1 ]; then cmake_options+=(-DMOIM_MICRO_BENCH=ON)
elif [ $fresh = 1 ]; then cmake_options+=(-DMOIM_MICRO_BENCH=OFF); fi
cmake -S . -B build/native "${cmake_options[@]}" >/dev/null
build() {  # quiet on success, the whole log on failure
  local dir=$1; shift
  if ! "$@" >"$dir.log" 2>&1; then cat "$dir.log" >&2; echo "[moim] build failed: $dir" >&2; exit 1; fi
}
# MOIM_NATIVE_TARGETS: build only these native targets (bench.sh skips the tests); default: the
# server, or everything --for-tests.
native_targets=()
if [ -n "${MOIM_NATIVE_TARGETS:-}" ]; then read -ra native_targets <<<"--target $MOIM_NATIVE_TARGETS"
elif [ $FOR_TESTS = 0 ]; then native_targets=(--target moim-server); fi
build build/native cmake --build build/native -j"$JOBS" "${native_targets[@]}"
export NODE_PATH=/usr/share/nodejs   # Debian's emscripten finds acorn there
if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=$BUILD_TYPE \
    -DMOIM_JSON_INCLUDE="$JSON_INC" -DMOIM_IMGUI_DIR="$IMGUI_DIR" >/dev/null
fi
build build/wasm cmake --build build/wasm -j"$JOBS"
log "built in $(( $(date +%s) - start )) s"
