#!/usr/bin/env bash
# The one place that knows how to run Janus (Debian package janus 1.1.2) for Moim: checks the
# arguments, keeps Janus's secrets in DIR (made once, mode 0600), writes its configuration into
# DIR/conf (only the VideoRoom plugin and the WebSocket transport, on 127.0.0.1 only) and replaces
# itself with janus in the foreground, logging to stdout. SIGINT/SIGTERM stop it (Janus's own
# handlers: sessions and rooms are dropped, nothing is kept on disk).
#
#   scripts/janus.sh --data-dir DIR [--port N] [--rtp-ports MIN-MAX] [--nat-1-1 IP]
#                    [--stun-server HOST[:PORT]]
#                    [--turn-server HOST[:PORT] --turn-user USER --turn-password-file FILE [--turn-type udp|tcp|tls]]
#                    [--session-timeout S] [--reclaim-timeout S] [--debug-level 0-7]
#   scripts/janus.sh --check ARGS...   only check ARGS (exit 0, or 2 with a message); writes nothing
#   scripts/janus.sh --prepare ARGS... check, make the secrets and write the configuration; no Janus
#
#   --data-dir DIR      Janus's folder (created, mode 0700): api-secret (Janus API secret, moim-server's
#                       --janus-api-secret-file), admin-key (the VideoRoom plugin's admin_key: only its
#                       holder creates rooms; moim-server's --janus-admin-key-file), admin-secret (the
#                       Admin API's, which no transport exposes), each 64 hex digits made once and
#                       kept, mode 0600; conf/ (rewritten at every start, mode 0600)
#   --port N            the Janus API over WebSocket (subprotocol janus-protocol) on 127.0.0.1:N only
#                       (default 8188)
#   --rtp-ports A-B     UDP ports of the media (ICE) sockets, 1024-65535 (default 20000-20499)
#   --nat-1-1 IP        this host's public address when it sits behind a 1:1 NAT (a cloud VM): put in
#                       Janus's host candidates (the NAT must forward the RTP ports unchanged)
#   --stun-server H[:P] a STUN server Janus asks for its own public address (port default 3478);
#                       Janus does not start if it cannot reach it
#   --turn-server H[:P] a TURN server for Janus's own candidates (rarely needed: browsers get TURN from
#                       moim-server), with --turn-user, --turn-password-file (one line, chmod 600) and
#                       --turn-type (default udp)
#   --session-timeout S a Janus session without a request for S seconds is dropped (default 60;
#                       moim-server sends a keepalive every 15 s)
#   --reclaim-timeout S a session whose WebSocket dropped is kept S seconds for moim-server to claim
#                       it back over a new one (default 60)
#   --debug-level N     Janus's log level, 0-7 (default 4: info)
set -euo pipefail

SCRIPT=janus.sh
die() { echo "$SCRIPT: $*" >&2; exit 2; }
usage() { sed -n '8,34p' "$0" | sed 's/^# \{0,1\}//'; }

data_dir='' port=8188 rtp_ports=20000-20499 nat_ip='' stun='' turn='' turn_user='' turn_password_file=''
turn_type=udp session_timeout=60 reclaim_timeout=60 debug_level=4 check_only=0 prepare_only=0

while [ $# -gt 0 ]; do
  arg=$1 value='' has_inline=0
  case "$arg" in --*=*) value=${arg#*=}; arg=${arg%%=*}; has_inline=1 ;; esac
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --check|--prepare)
      [ $has_inline = 0 ] || die "$arg takes no value"
      if [ "$arg" = --check ]; then check_only=1; else prepare_only=1; fi
      shift; continue ;;
    --data-dir|--port|--rtp-ports|--nat-1-1|--stun-server|--turn-server|--turn-user|--turn-password-file|--turn-type|\
    --session-timeout|--reclaim-timeout|--debug-level) ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  if [ $has_inline = 0 ]; then
    [ $# -ge 2 ] || die "$arg needs a value (try --help)"
    value=$2; shift 2
  else
    shift
  fi
  [ -n "$value" ] || die "$arg needs a value (try --help)"
  case "$arg" in
    --data-dir) data_dir=$value ;;
    --port) port=$value ;;
    --rtp-ports) rtp_ports=$value ;;
    --nat-1-1) nat_ip=$value ;;
    --stun-server) stun=$value ;;
    --turn-server) turn=$value ;;
    --turn-user) turn_user=$value ;;
    --turn-password-file) turn_password_file=$value ;;
    --turn-type) turn_type=$value ;;
    --session-timeout) session_timeout=$value ;;
    --reclaim-timeout) reclaim_timeout=$value ;;
    --debug-level) debug_level=$value ;;
  esac
done

# ---- the arguments ------------------------------------------------------------------------------------
is_port() { [[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$((10#$1))" -ge 1 ] && [ "$((10#$1))" -le 65535 ]; }
[ -n "$data_dir" ] || die "--data-dir is required (try --help)"
is_port "$port" || die "--port needs a port number from 1 to 65535, got '$port'"
port=$((10#$port))
[[ $rtp_ports =~ ^([0-9]{1,5})-([0-9]{1,5})$ ]] || die "--rtp-ports needs MIN-MAX (e.g. 20000-20499), got '$rtp_ports'"
min_port=$((10#${BASH_REMATCH[1]})) max_port=$((10#${BASH_REMATCH[2]}))
{ [ $min_port -ge 1024 ] && [ $max_port -le 65535 ] && [ $min_port -le $max_port ]; } ||
  die "--rtp-ports needs 1024 <= MIN <= MAX <= 65535, got '$rtp_ports'"
[ $port -lt $min_port ] || [ $port -gt $max_port ] || die "--port $port lies inside --rtp-ports $rtp_ports"
seconds() {  # seconds FLAG VALUE MIN MAX
  [[ $2 =~ ^[0-9]{1,5}$ ]] && [ "$((10#$2))" -ge "$3" ] && [ "$((10#$2))" -le "$4" ] ||
    die "$1 needs a number from $3 to $4, got '$2'"
}
seconds --session-timeout "$session_timeout" 1 3600
seconds --reclaim-timeout "$reclaim_timeout" 0 3600
seconds --debug-level "$debug_level" 0 7
session_timeout=$((10#$session_timeout)) reclaim_timeout=$((10#$reclaim_timeout)) debug_level=$((10#$debug_level))
# A host name or an address, without quotes or spaces (it goes into a quoted configuration value).
host_ok() { [[ $1 =~ ^[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})$ ]]; }
if [ -n "$nat_ip" ]; then
  [[ $nat_ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || $nat_ip =~ ^[0-9A-Fa-f:]+$ ]] || die "--nat-1-1 needs an IP address, got '$nat_ip'"
fi
split_server() {  # split_server FLAG VALUE -> sets server_host, server_port
  local flag=$1 text=$2
  if [[ $text =~ ^([^:]+):([0-9]{1,5})$ ]]; then server_host=${BASH_REMATCH[1]} server_port=${BASH_REMATCH[2]}
  else server_host=$text server_port=3478; fi
  host_ok "$server_host" || die "$flag needs HOST[:PORT] (a host name or an IPv4 address), got '$text'"
  is_port "$server_port" || die "$flag: bad port in '$text'"
  server_port=$((10#$server_port))
}
stun_host='' stun_port='' turn_host='' turn_port=''
if [ -n "$stun" ]; then split_server --stun-server "$stun"; stun_host=$server_host stun_port=$server_port; fi
if [ -n "$turn" ]; then
  split_server --turn-server "$turn"; turn_host=$server_host turn_port=$server_port
  [ -n "$turn_user" ] && [ -n "$turn_password_file" ] || die "--turn-server needs --turn-user and --turn-password-file"
  [[ $turn_user =~ ^[A-Za-z0-9._:@+=-]{1,256}$ ]] || die "--turn-user may hold only letters, digits and ._:@+=-"
  case "$turn_type" in udp|tcp|tls) ;; *) die "--turn-type needs udp, tcp or tls, got '$turn_type'" ;; esac
  [ -f "$turn_password_file" ] && [ -r "$turn_password_file" ] || die "--turn-password-file '$turn_password_file' is not a readable file"
  mode=$(stat -L -c %a "$turn_password_file")
  (( (8#$mode & 8#044) == 0 )) || die "--turn-password-file '$turn_password_file' is readable by others (mode $mode): chmod 600 it"
  turn_password=$(<"$turn_password_file")
  [[ $turn_password =~ ^[A-Za-z0-9._~+/=:-]{1,512}$ ]] ||
    die "--turn-password-file '$turn_password_file': one line of letters, digits and ._~+/=:- expected"
else
  [ -z "$turn_user$turn_password_file" ] || die "--turn-user and --turn-password-file need --turn-server"
fi

# ---- Janus itself -------------------------------------------------------------------------------------
command -v janus >/dev/null || die "janus not found: apt-get install janus (./run.sh --with-sfu installs it)"
# Its modules: Debian puts them under /usr/lib/<multiarch>/janus; a build from source under its prefix.
lib_dir=''
for candidate in /usr/lib/*/janus /usr/lib/janus /usr/local/lib/janus /opt/janus/lib/janus; do
  if [ -f "$candidate/plugins/libjanus_videoroom.so" ] && [ -f "$candidate/transports/libjanus_websockets.so" ]; then
    lib_dir=$candidate; break
  fi
done
[ -n "$lib_dir" ] || die "Janus's VideoRoom plugin and WebSocket transport were not found (apt-get install janus)"
if [ -e "$data_dir" ]; then
  [ -d "$data_dir" ] || die "--data-dir '$data_dir' is not a folder"
  [ -w "$data_dir" ] || die "--data-dir '$data_dir' is not writable"
fi
[ $check_only = 0 ] || exit 0

# Every module of a folder but the kept ones, as Janus's "disable" list (file names ending in .so).
others() {  # others FOLDER KEEP...
  local folder=$1 file name list=''; shift
  for file in "$folder"/*.so; do
    [ -e "$file" ] || continue
    name=${file##*/}
    [[ " $* " == *" $name "* ]] || list+=${list:+,}$name
  done
  printf '%s' "$list"
}

# ---- the secrets (made once, kept: moim-server reads api-secret and admin-key) -----------------------
umask 077
mkdir -p "$data_dir" || die "cannot create --data-dir '$data_dir'"
chmod 700 "$data_dir"
data_dir=$(realpath "$data_dir")
secret() {  # secret NAME: DIR/NAME, made if missing; prints it
  local file=$data_dir/$1 value
  if [ ! -s "$file" ]; then
    od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$file.tmp" && mv -f "$file.tmp" "$file" || die "cannot write $file"
  fi
  chmod 600 "$file"
  value=$(<"$file")
  [[ $value =~ ^[0-9a-f]{64}$ ]] || die "$file holds something other than 64 hex digits: remove it to make a new one"
  printf '%s' "$value"
}
api_secret=$(secret api-secret)
admin_key=$(secret admin-key)
admin_secret=$(secret admin-secret)

# ---- the configuration --------------------------------------------------------------------------------
conf=$data_dir/conf
mkdir -p "$conf" && chmod 700 "$conf"
tmp=$(mktemp -d "$data_dir/.conf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/janus.jcfg" <<EOF
# Janus for Moim, written by scripts/janus.sh at every start (Janus 1.1.2). Only the VideoRoom
# plugin and the WebSocket transport (127.0.0.1:$port) are loaded; every request needs the API secret.
general: {
	configs_folder = "$conf"
	plugins_folder = "$lib_dir/plugins"
	transports_folder = "$lib_dir/transports"
	events_folder = "$lib_dir/events"
	loggers_folder = "$lib_dir/loggers"
	debug_level = $debug_level
	debug_colors = false
	server_name = "moim"
	# Every Janus API request must carry it (moim-server's --janus-api-secret-file).
	api_secret = "$api_secret"
	# The Admin API is served by no transport; its secret is set anyway (never the package's default).
	admin_secret = "$admin_secret"
	session_timeout = $session_timeout
	reclaim_session_timeout = $reclaim_timeout
	hide_dependencies = true
	protected_folders = [ "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var", "$data_dir" ]
}
media: {
	rtp_port_range = "$min_port-$max_port"
}
nat: {
	nice_debug = false
	ice_ignore_list = "vmnet"
EOF
{
  [ -z "$nat_ip" ] || printf '\tnat_1_1_mapping = "%s"\n' "$nat_ip"
  [ -z "$stun_host" ] || printf '\tstun_server = "%s"\n\tstun_port = %s\n' "$stun_host" "$stun_port"
  if [ -n "$turn_host" ]; then
    printf '\tturn_server = "%s"\n\tturn_port = %s\n\tturn_type = "%s"\n' "$turn_host" "$turn_port" "$turn_type"
    printf '\tturn_user = "%s"\n\tturn_pwd = "%s"\n' "$turn_user" "$turn_password"
  fi
  cat <<EOF
}
plugins: {
	disable = "$(others "$lib_dir/plugins" libjanus_videoroom.so)"
}
transports: {
	disable = "$(others "$lib_dir/transports" libjanus_websockets.so)"
}
loggers: {
	disable = "$(others "$lib_dir/loggers")"
}
events: {
	broadcast = false
	disable = "$(others "$lib_dir/events")"
}
EOF
} >>"$tmp/janus.jcfg"
cat >"$tmp/janus.transport.websockets.jcfg" <<EOF
# The Janus API for moim-server only: plain WebSocket on loopback; no secure or Admin API server.
general: {
	json = "compact"
	ws = true
	ws_port = $port
	ws_ip = "127.0.0.1"
	wss = false
	ws_logging = "err,warn"
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF
cat >"$tmp/janus.plugin.videoroom.jcfg" <<EOF
# No static rooms: moim-server creates each room (not permanent) with the admin key and the room's
# own secret, and creates them again after a restart of Janus.
general: {
	admin_key = "$admin_key"
	# RTP forwarding would send a room's media anywhere: the admin key too.
	lock_rtp_forward = true
	events = false
}
EOF
chmod 600 "$tmp"/*.jcfg
rm -f "$conf"/*.jcfg
mv -f "$tmp"/*.jcfg "$conf"/
rm -rf "$tmp"
trap - EXIT
[ $prepare_only = 0 ] || exit 0

version=$(janus --version 2>/dev/null | sed -n 's/^Janus version: [0-9]* (\(.*\))$/\1/p' || true)
echo "[janus] Janus ${version:-(unknown version)}: API on ws://127.0.0.1:$port (janus-protocol), RTP ports $min_port-$max_port; config $conf" >&2
exec janus --configs-folder "$conf" --disable-colors
