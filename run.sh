#!/usr/bin/env bash
# Installs what is missing, builds, and serves Moim; with --with-turn also coturn, with --with-sfu also Janus.
#   ./run.sh [--port N] [--with-turn [--turn-port N] [--turn-allow-peer CIDR]...] [--public-ip IP]
#            [--with-sfu [--janus-port N] [--janus-rtp-ports MIN-MAX]
#             | --janus-url URL [--janus-api-secret-file FILE] [--janus-admin-key-file FILE]]
#
#   --port N                 the page, the signaling socket and the built-in STUN responder (default 8080)
#   --with-turn              also install and run coturn (scripts/turn.sh) and hand its credentials to
#                            the browsers: a secret made once in $DATA/turn-secret (mode 0600, kept),
#                            TURN on UDP and TCP --turn-port, relay ports 49160-49200 (UDP)
#   --turn-port N            coturn's port (default 3478)
#   --turn-allow-peer CIDR   let coturn relay to this private range too (repeatable), e.g. your LAN
#                            192.168.1.0/24 when people on it must talk through the relay
#   --public-ip IP           this host's public address when it sits behind a 1:1 NAT (a cloud VM):
#                            coturn announces it for relayed addresses, Janus in its candidates
#   --with-sfu               also install and run Janus, the VideoRoom SFU (scripts/janus.sh): its
#                            configuration and secrets in $DATA/janus (mode 0700), its API on
#                            ws://127.0.0.1:--janus-port only, media on UDP --janus-rtp-ports. The
#                            server keeps a session with it; no room uses it yet
#   --janus-port N           Janus's API port on 127.0.0.1 (default 8188)
#   --janus-rtp-ports A-B    Janus's media ports (UDP, default 20000-20499)
#   --janus-url URL          use a Janus running elsewhere instead (ws://host:port, its WebSocket API),
#                            with its secrets: --janus-api-secret-file (its api_secret) and
#                            --janus-admin-key-file (its VideoRoom admin_key), files of one line, chmod 600
# $MOIM_DATA_DIR (default ./moim-data) holds the rooms, the server's key, the TURN secret and Janus's folder.
# Alone, run.sh becomes the server process; with coturn or Janus, Ctrl+C or SIGTERM stops them all.
set -euo pipefail
cd "$(dirname "$0")"
PORT=8080 WITH_TURN=0 TURN_PORT=3478 PUBLIC_IP='' WITH_SFU=0 JANUS_PORT='' JANUS_RTP_PORTS='' JANUS_URL=''
JANUS_API_SECRET_FILE='' JANUS_ADMIN_KEY_FILE=''
ALLOW_PEERS=()
die() { echo "run.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  arg=$1
  case "$arg" in --*=*) set -- "${arg%%=*}" "${arg#*=}" "${@:2}"; arg=$1 ;; esac
  case "$arg" in
    --port|--turn-port|--public-ip|--turn-allow-peer|--janus-port|--janus-rtp-ports|--janus-url|--janus-api-secret-file|--janus-admin-key-file)
      [ $# -ge 2 ] && [ -n "$2" ] || die "$arg needs a value (try --help)" ;;
  esac
  case "$arg" in
    --port) PORT=$2; shift 2 ;;
    --with-turn) WITH_TURN=1; shift ;;
    --turn-port) TURN_PORT=$2; shift 2 ;;
    --public-ip) PUBLIC_IP=$2; shift 2 ;;
    --turn-allow-peer) ALLOW_PEERS+=("$2"); shift 2 ;;
    --with-sfu) WITH_SFU=1; shift ;;
    --janus-port) JANUS_PORT=$2; shift 2 ;;
    --janus-rtp-ports) JANUS_RTP_PORTS=$2; shift 2 ;;
    --janus-url) JANUS_URL=$2; shift 2 ;;
    --janus-api-secret-file) JANUS_API_SECRET_FILE=$2; shift 2 ;;
    --janus-admin-key-file) JANUS_ADMIN_KEY_FILE=$2; shift 2 ;;
    -h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
done
case "$PORT" in ''|*[!0-9]*) die "--port needs a number, got '$PORT'" ;; esac
if [ $WITH_TURN = 0 ]; then
  [ "$TURN_PORT${ALLOW_PEERS[*]}" = 3478 ] || die "--turn-port and --turn-allow-peer need --with-turn"
fi
[ -z "$PUBLIC_IP" ] || [ $WITH_TURN = 1 ] || [ $WITH_SFU = 1 ] || die "--public-ip needs --with-turn or --with-sfu"
if [ $WITH_SFU = 0 ]; then
  [ -z "$JANUS_PORT$JANUS_RTP_PORTS" ] || die "--janus-port and --janus-rtp-ports need --with-sfu"
else
  [ -z "$JANUS_URL" ] || die "--with-sfu runs Janus here; --janus-url uses one elsewhere: give one of them"
fi
[ -n "$JANUS_URL" ] || [ -z "$JANUS_API_SECRET_FILE$JANUS_ADMIN_KEY_FILE" ] ||
  die "--janus-api-secret-file and --janus-admin-key-file need --janus-url (with --with-sfu they are made in \$DATA/janus)"
DATA=${MOIM_DATA_DIR:-moim-data}
SERVER=(build/native/server/moim-server --port "$PORT" --root build/wasm/site --data-dir "$DATA")
if [ -n "$JANUS_URL" ]; then
  SERVER+=(--janus-url "$JANUS_URL")
  [ -z "$JANUS_API_SECRET_FILE" ] || SERVER+=(--janus-api-secret-file "$JANUS_API_SECRET_FILE")
  [ -z "$JANUS_ADMIN_KEY_FILE" ] || SERVER+=(--janus-admin-key-file "$JANUS_ADMIN_KEY_FILE")
fi

SETUP=()
[ $WITH_TURN = 0 ] || SETUP+=(--with-turn)
[ $WITH_SFU = 0 ] || SETUP+=(--with-sfu)
if [ $WITH_TURN = 0 ] && [ $WITH_SFU = 0 ]; then
  scripts/setup.sh
  echo "[moim] open http://localhost:$PORT  (Ctrl+C stops the server)"
  exec "${SERVER[@]}"
fi

scripts/setup.sh "${SETUP[@]}"
mkdir -p -m 700 "$DATA"
what=()  # for the messages: "coturn", "Janus"
if [ $WITH_TURN = 1 ]; then
  # The TURN REST secret: made once, kept across runs (changing it would only break credentials
  # already handed out). 32 random bytes as hex: safe in coturn's configuration file.
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
  what+=(coturn)
fi
if [ $WITH_SFU = 1 ]; then
  JANUS_PORT=${JANUS_PORT:-8188}
  JANUS=(scripts/janus.sh --data-dir "$DATA/janus" --port "$JANUS_PORT")
  [ -z "$JANUS_RTP_PORTS" ] || JANUS+=(--rtp-ports "$JANUS_RTP_PORTS")
  [ -z "$PUBLIC_IP" ] || JANUS+=(--nat-1-1 "$PUBLIC_IP")
  # Checked, and its secrets made (kept across runs), before anything runs: the server reads them.
  "${JANUS[@]}" --prepare || exit 2
  SERVER+=(--janus-url "ws://127.0.0.1:$JANUS_PORT" --janus-api-secret-file "$DATA/janus/api-secret"
           --janus-admin-key-file "$DATA/janus/admin-key")
  what+=(Janus)
fi

# The children. Each is started under setpriv --pdeathsig, so even a run.sh killed with SIGKILL
# takes them along; normally the traps below stop them (background children of a script ignore
# Ctrl+C's SIGINT, so they are sent SIGTERM).
children=() names=()
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
start() {  # start NAME COMMAND...
  names+=("$1"); shift
  setpriv --pdeathsig TERM "$@" &
  children+=($!)
}

if [ $WITH_TURN = 1 ]; then start coturn "${TURN[@]}"; fi
if [ $WITH_SFU = 1 ]; then
  start Janus "${JANUS[@]}"
  # The server would find it anyway (it tries again), but not with a warning at every start.
  for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$JANUS_PORT") 2>/dev/null && break
    kill -0 "${children[-1]}" 2>/dev/null || break
    sleep 0.1
  done
fi
start "the server" "${SERVER[@]}"
extras=''
if [ $WITH_TURN = 1 ]; then extras+="TURN on port $TURN_PORT UDP+TCP; "; fi
if [ $WITH_SFU = 1 ]; then extras+="Janus API on 127.0.0.1:$JANUS_PORT; "; fi
stopped="the server and ${what[0]}"
[ ${#what[@]} = 1 ] || stopped="the server, ${what[0]} and ${what[1]}"
echo "[moim] open http://localhost:$PORT  (${extras}Ctrl+C stops $stopped)"

status=0
wait -n -p exited "${children[@]}" || status=$?
name=unknown
for i in "${!children[@]}"; do [ "${children[$i]}" != "${exited:-}" ] || name=${names[$i]}; done
echo "[moim] $name exited (status $status): stopping the rest" >&2
stop
exit $(( status == 0 ? 1 : status ))   # any one ending on its own is a failure of the set
