#!/usr/bin/env bash
# Installs what is missing, builds, and serves Moim; with --with-turn also runs coturn beside it.
#   ./run.sh [--port N] [--with-turn [--turn-port N] [--public-ip IP] [--turn-allow-peer CIDR]...]
#
#   --port N                 the page, the signaling socket and the built-in STUN responder (default 8080)
#   --with-turn              also install and run coturn (scripts/turn.sh) and hand its credentials to
#                            the browsers: a secret made once in $DATA/turn-secret (mode 0600, kept),
#                            TURN on UDP and TCP --turn-port, relay ports 49160-49200 (UDP)
#   --turn-port N            coturn's port (default 3478)
#   --public-ip IP           this host's public address when it sits behind a 1:1 NAT (a cloud VM):
#                            coturn announces it for relayed addresses
#   --turn-allow-peer CIDR   let coturn relay to this private range too (repeatable), e.g. your LAN
#                            192.168.1.0/24 when people on it must talk through the relay
# $MOIM_DATA_DIR (default ./moim-data) holds the rooms, the server's key and the TURN secret.
# Without --with-turn run.sh becomes the server process; with it, Ctrl+C or SIGTERM stops both.
set -euo pipefail
cd "$(dirname "$0")"
PORT=8080 WITH_TURN=0 TURN_PORT=3478 PUBLIC_IP=''
ALLOW_PEERS=()
die() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  arg=$1
  case "$arg" in --*=*) set -- "${arg%%=*}" "${arg#*=}" "${@:2}"; arg=$1 ;; esac
  case "$arg" in
    --port|--turn-port|--public-ip|--turn-allow-peer)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$arg needs a value (try --help)" ;;
  esac
  case "$arg" in
    --port) PORT=$2; shift 2 ;;
    --with-turn) WITH_TURN=1; shift ;;
    --turn-port) TURN_PORT=$2; shift 2 ;;
    --public-ip) PUBLIC_IP=$2; shift 2 ;;
    --turn-allow-peer) ALLOW_PEERS+=("$2"); shift 2 ;;
    -h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
case "$PORT" in ''|*[!0-9]*) die "--port needs a number, got '$PORT'" ;; esac
if [ $WITH_TURN = 0 ]; then
  [ "$TURN_PORT$PUBLIC_IP${ALLOW_PEERS[*]}" = 3478 ] || die "--turn-port, --public-ip and --turn-allow-peer need --with-turn"
fi
DATA=${MOIM_DATA_DIR:-moim-data}
SERVER=(build/native/server/moim-server --port "$PORT" --root build/wasm/site --data-dir "$DATA")

if [ $WITH_TURN = 0 ]; then
  scripts/setup.sh
  echo "[moim] open http://localhost:$PORT  (Ctrl+C stops the server)"
  exec "${SERVER[@]}"
fi

scripts/setup.sh --with-turn
# The TURN REST secret: made once, kept across runs (changing it would only break credentials
# already handed out). 32 random bytes as hex: safe in coturn's configuration file.
mkdir -p -m 700 "$DATA"
SECRET=$DATA/turn-secret
if [ ! -e "$SECRET" ]; then
  (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$SECRET.tmp" && mv "$SECRET.tmp" "$SECRET")
  echo "[moim] made a TURN secret in $SECRET"
fi
TURN=(scripts/turn.sh --secret-file "$SECRET" --state-dir "$DATA/turn" --port "$TURN_PORT")
[ -z "$PUBLIC_IP" ] || TURN+=(--external-ip "$PUBLIC_IP")
for cidr in ${ALLOW_PEERS[@]+"${ALLOW_PEERS[@]}"}; do TURN+=(--allow-peer "$cidr"); done
"${TURN[@]}" --check || exit 2   # a bad argument or secret file stops here, before anything runs
# {host} becomes, per connection, the host name the browser used to reach the page.
SERVER+=(--turn-uri "turn:{host}:$TURN_PORT?transport=udp" --turn-uri "turn:{host}:$TURN_PORT?transport=tcp"
         --turn-secret-file "$SECRET")

# Two children. Each is started under setpriv --pdeathsig, so even a run.sh killed with SIGKILL
# takes them along; normally the traps below stop them (background children of a script ignore
# Ctrl+C's SIGINT, so they are sent SIGTERM).
children=()
stopping=0
stop() {
  [ $stopping = 0 ] || return 0
  stopping=1
  local pid
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  (sleep 5; for pid in "${children[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done) &
  local watchdog=$!
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  kill "$watchdog" 2>/dev/null || true
  wait "$watchdog" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

setpriv --pdeathsig TERM "${TURN[@]}" &
TURN_PID=$!
children+=("$TURN_PID")
setpriv --pdeathsig TERM "${SERVER[@]}" &
SERVER_PID=$!
children+=("$SERVER_PID")
echo "[moim] open http://localhost:$PORT  (TURN on port $TURN_PORT UDP+TCP; Ctrl+C stops the server and coturn)"

status=0
wait -n -p exited "$TURN_PID" "$SERVER_PID" || status=$?
if [ "${exited:-}" = "$TURN_PID" ]; then
  echo "[moim] coturn exited (status $status): stopping the server" >&2
else
  echo "[moim] the server exited (status $status): stopping coturn" >&2
fi
stop
exit $(( status == 0 ? 1 : status ))   # either one ending on its own is a failure of the pair
