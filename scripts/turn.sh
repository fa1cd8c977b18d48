#!/usr/bin/env bash
# The one place that knows how to run coturn (Debian package coturn, turnserver 4.6.1) for Moim:
# checks the arguments, writes DIR/turnserver.conf (mode 0600, hardened for a public host, TURN REST
# scheme only) and replaces itself with turnserver in the foreground, logging to stdout.
#
#   scripts/turn.sh --secret-file PATH --state-dir DIR [--port N] [--relay-ports MIN-MAX]
#                   [--listen-ip IP]... [--relay-ip IP] [--external-ip IP] [--allow-peer CIDR]...
#                   [--realm NAME] [--cert FILE --key FILE [--tls-port N]]
#   scripts/turn.sh --check ARGS...      only check ARGS and the secret file (exit 0, or 2 with a message)
#   scripts/turn.sh --print-example      the same configuration as a template for Debian's own
#                                        coturn.service (deploy/turnserver.conf.example is this output)
#
#   --secret-file PATH  the shared secret of the TURN REST scheme (moim-server's --turn-secret-file):
#                       16+ visible characters (no spaces, quotes, # or \), a trailing newline is
#                       ignored; the file must not be readable by group or others (chmod 600)
#   --state-dir DIR     where turnserver.conf and coturn's small database go (created, mode 0700)
#   --port N            UDP and TCP listening port (default 3478)
#   --relay-ports A-B   UDP ports of relayed addresses, 1024-65535 (default 49160-49200); one per
#                       allocation, so it also bounds how many allocations exist at once
#   --listen-ip IP      listen only on IP (repeatable; default: every address)
#   --relay-ip IP       the local address relayed packets leave from (default: the one the client reached)
#   --external-ip IP    the public address to announce when this host is behind a 1:1 NAT (cloud VM);
#                       the NAT must forward the relay ports unchanged
#   --allow-peer CIDR   allow relaying to/from this address or range although it is private, loopback
#                       or reserved (repeatable; checked before the deny list)
#   --realm NAME        the TURN realm (default moim)
#   --cert FILE --key FILE   also listen for TURN over TLS (turns:) on --tls-port (default 5349)
set -euo pipefail

SCRIPT=turn.sh
die() { echo "$SCRIPT: $*" >&2; exit 2; }
usage() { sed -n '6,27p' "$0" | sed 's/^# \{0,1\}//'; }

# Peers nobody may reach through the relay unless --allow-peer says so: this network, private,
# shared (CGN), loopback, link-local, IETF protocol and documentation ranges, benchmarking,
# multicast and reserved; IPv6 loopback, unique-local, link-local and IPv4-mapped addresses
# (which would otherwise smuggle an IPv4 private address past the IPv4 list).
DENIED_PEERS=(
  0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/24
  192.0.2.0/24 192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4
  ::1/128 fc00::/7 fe80::/10 ::ffff:0:0/96
)
# Per-username (that is, per credential of one participant) allocations: a full room of 8 is 7 peer
# connections x (UDP + TCP TURN URI) = 14, twice that during an ICE restart.
USER_QUOTA=32
# Bytes per second per allocation and direction: Chromium's default top video bitrate (2.5 Mbit/s)
# plus audio and overhead fit; a relay cannot be used to flood at line rate.
MAX_BPS=500000

secret_file='' state_dir='' port=3478 relay_ports=49160-49200 realm=moim
relay_ip='' external_ip='' cert='' key='' tls_port=5349 print_example=0 check_only=0
listen_ips=() allow_peers=()

need() { [ -n "${2:-}" ] || die "$1 needs a value (try --help)"; }
while [ $# -gt 0 ]; do
  arg=$1 value='' has_inline=0
  case "$arg" in --*=*) value=${arg#*=}; arg=${arg%%=*}; has_inline=1 ;; esac
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --print-example|--check)
      [ $has_inline = 0 ] || die "$arg takes no value"
      if [ "$arg" = --check ]; then check_only=1; else print_example=1; fi
      shift; continue ;;
    --secret-file|--state-dir|--port|--relay-ports|--listen-ip|--relay-ip|--external-ip|--allow-peer|--realm|--cert|--key|--tls-port) ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  if [ $has_inline = 0 ]; then
    [ $# -ge 2 ] || die "$arg needs a value (try --help)"
    value=$2; shift 2
  else
    shift
  fi
  need "$arg" "$value"
  case "$arg" in
    --secret-file) secret_file=$value ;;
    --state-dir) state_dir=$value ;;
    --port) port=$value ;;
    --relay-ports) relay_ports=$value ;;
    --listen-ip) listen_ips+=("$value") ;;
    --relay-ip) relay_ip=$value ;;
    --external-ip) external_ip=$value ;;
    --allow-peer) allow_peers+=("$value") ;;
    --realm) realm=$value ;;
    --cert) cert=$value ;;
    --key) key=$value ;;
    --tls-port) tls_port=$value ;;
  esac
done

is_port() { [[ $1 =~ ^[0-9]{1,5}$ ]] && [ "$((10#$1))" -ge 1 ] && [ "$((10#$1))" -le 65535 ]; }
is_port "$port" || die "--port needs a port number from 1 to 65535, got '$port'"
port=$((10#$port))
is_port "$tls_port" || die "--tls-port needs a port number from 1 to 65535, got '$tls_port'"
tls_port=$((10#$tls_port))
[[ $relay_ports =~ ^([0-9]{1,5})-([0-9]{1,5})$ ]] || die "--relay-ports needs MIN-MAX (e.g. 49160-49200), got '$relay_ports'"
min_port=$((10#${BASH_REMATCH[1]})) max_port=$((10#${BASH_REMATCH[2]}))
{ [ $min_port -ge 1024 ] && [ $max_port -le 65535 ] && [ $min_port -le $max_port ]; } ||
  die "--relay-ports needs 1024 <= MIN <= MAX <= 65535, got '$relay_ports'"
for p in $port $([ -n "$cert" ] && echo $tls_port); do
  [ $p -lt $min_port ] || [ $p -gt $max_port ] || die "port $p lies inside --relay-ports $relay_ports"
done
[[ $realm =~ ^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$ ]] || die "--realm needs 1-63 letters, digits, '.' or '-', got '$realm'"
if [ -n "$cert$key" ]; then
  { [ -n "$cert" ] && [ -n "$key" ]; } || die "--cert and --key go together: give both or neither"
  [ -r "$cert" ] && [ -f "$cert" ] || die "--cert '$cert' is not a readable file"
  [ -r "$key" ] && [ -f "$key" ] || die "--key '$key' is not a readable file"
  cert=$(realpath "$cert") key=$(realpath "$key")
fi
[ $print_example = 1 ] || [ -n "$secret_file" ] || die "--secret-file is required (try --help)"
[ $print_example = 1 ] || [ -n "$state_dir" ] || die "--state-dir is required (try --help)"

# Addresses and ranges are checked (and CIDRs turned into the first-last ranges coturn 4.6 reads) by
# Python's ipaddress module: one call for all of them. Output lines: KIND<TAB>value.
command -v python3 >/dev/null || die "python3 is missing (apt-get install python3)"
checked=$(python3 - "${listen_ips[@]/#/listen=}" "${relay_ip:+relay=$relay_ip}" "${external_ip:+external=$external_ip}" \
  "${allow_peers[@]/#/allow=}" "${DENIED_PEERS[@]/#/deny=}" <<'PY'
import ipaddress, sys
names = {'listen': '--listen-ip', 'relay': '--relay-ip', 'external': '--external-ip', 'allow': '--allow-peer'}
for arg in sys.argv[1:]:
    if not arg:
        continue
    kind, text = arg.split('=', 1)
    try:
        if kind in ('allow', 'deny'):
            net = ipaddress.ip_network(text, strict=True)
            loopback = ipaddress.ip_network('127.0.0.0/8' if net.version == 4 else '::1/128')
            first, last = net[0], net[-1]
            value = str(first) if first == last else f'{first}-{last}'
            print(f'{kind}\t{value}\t{net}\t{int(net.overlaps(loopback))}')
        else:
            ip = ipaddress.ip_address(text)
            if kind == 'external' and (ip.is_unspecified or ip.is_loopback or ip.is_multicast or ip.is_link_local):
                print(f"--external-ip '{text}' must be the host's public unicast address", file=sys.stderr)
                sys.exit(2)
            print(f'{kind}\t{ip}')
    except ValueError as e:
        what = 'an address or CIDR range such as 203.0.113.7 or 10.20.0.0/16' if kind == 'allow' else 'an IPv4 or IPv6 address'
        print(f"{names.get(kind, kind)} '{text}' is not {what} ({e})", file=sys.stderr)
        sys.exit(2)
PY
) || exit 2

# ---- the configuration (one text for turn.sh's own runs and for the template) --------------------
emit_config() {  # emit_config SECRET_LINE STATE_LINES
  local secret_line=$1 state_lines=$2 kind value cidr loop allow_loopback=0
  cat <<EOF
# coturn for Moim, written by scripts/turn.sh (coturn 4.6.1). Option names are checked against
# turnserver --help of that version: an unknown line is only logged ("Bad configuration format").

# ---- where it listens -----------------------------------------------------------------------------
listening-port=$port
EOF
  if [ $print_example = 1 ]; then
    cat <<'EOF'
# Listen on every address unless listening-ip lines restrict it; relay from the address the client
# reached unless relay-ip says otherwise. Behind a 1:1 NAT (a cloud VM) give the public address:
#listening-ip=192.0.2.10
#relay-ip=192.0.2.10
#external-ip=203.0.113.7
EOF
  fi
  while IFS=$'\t' read -r kind value _; do
    case "$kind" in
      listen) echo "listening-ip=$value" ;;
      relay) echo "relay-ip=$value" ;;
      external) echo "external-ip=$value" ;;
    esac
  done <<<"$checked"
  cat <<EOF
realm=$realm

# ---- who may allocate: the TURN REST scheme only ----------------------------------------------------
# username "<expiry unix time>:<peer id>", password base64(HMAC-SHA1(secret, username)), made by
# moim-server from the same secret (--turn-secret-file). No static users (no lt-cred-mech, no user=).
use-auth-secret
$secret_line
# A nonce lives 10 minutes: a stolen one cannot be replayed for long.
stale-nonce=600

# ---- transports -------------------------------------------------------------------------------------
# UDP and TCP on listening-port. Browsers never speak DTLS to a TURN server.
no-dtls
EOF
  if [ -n "$cert" ]; then
    cat <<EOF
# TURN over TLS (turns:) on tls-listening-port, TLS 1.2 or later.
tls-listening-port=$tls_port
cert=$cert
pkey=$key
no-tlsv1
no-tlsv1_1
EOF
  elif [ $print_example = 1 ]; then
    cat <<'EOF'
# No TLS listener without a certificate. For turns: on 5349 replace no-tls by:
#tls-listening-port=5349
#cert=/etc/letsencrypt/live/turn.example.org/fullchain.pem
#pkey=/etc/letsencrypt/live/turn.example.org/privkey.pem
#no-tlsv1
#no-tlsv1_1
no-tls
EOF
  else
    echo "no-tls"
  fi
  cat <<EOF
# Relayed transport is UDP only (WebRTC needs nothing else): no TCP connections to peers (RFC 6062).
no-tcp-relay

# ---- hardening for a public host ----------------------------------------------------------------------
fingerprint
no-cli
no-software-attribute
# Small STUN answers: no NAT-behaviour discovery attributes (amplification), no RFC 3489 answers.
no-rfc5780
no-stun-backward-compatibility
response-origin-only-with-rfc5780
no-multicast-peers
# Loopback peers are refused by coturn 4.6 by default (no-loopback-peers is gone from 4.6); see below.
EOF
  echo "# Peers: allowed-peer-ip is checked before denied-peer-ip. Ranges are written first-last, each"
  echo "# under its CIDR: coturn 4.6 reads neither CIDR nor a comment after a value."
  while IFS=$'\t' read -r kind value cidr loop; do
    if [ "$kind" = allow ]; then
      printf '# %s\nallowed-peer-ip=%s\n' "$cidr" "$value"
      [ "$loop" = 1 ] && allow_loopback=1
    fi
  done <<<"$checked"
  if [ $allow_loopback = 1 ]; then
    echo "# An allowed range touches loopback: coturn checks loopback before the allow list, so let it"
    echo "# through; the rest of 127.0.0.0/8 and ::1 stay denied below."
    echo "allow-loopback-peers"
  fi
  while IFS=$'\t' read -r kind value cidr _; do
    [ "$kind" != deny ] || printf '# %s\ndenied-peer-ip=%s\n' "$cidr" "$value"
  done <<<"$checked"
  cat <<EOF

# ---- bounds ---------------------------------------------------------------------------------------------
min-port=$min_port
max-port=$max_port
# One relay port per allocation: no more allocations than ports, answered 486 instead of failing.
total-quota=$((max_port - min_port + 1))
user-quota=$USER_QUOTA
max-bps=$MAX_BPS

# ---- process ------------------------------------------------------------------------------------------
# Logs go to stdout (turn.sh also passes --log-file stdout, which must be on the command line to keep
# coturn from opening a file in /var/log before it reads this one); no pid file.
log-file=stdout
simple-log
pidfile=
# Everything comes from this file: no polling of the database for secrets, realms or peer lists.
no-dynamic-ip-list
no-dynamic-realms
no-auth-pings
EOF
  [ -z "$state_lines" ] || printf '%s\n' "$state_lines"
}

if [ $print_example = 1 ]; then
  emit_config "static-auth-secret=PUT-THE-CONTENTS-OF-/etc/moim/turn-secret-HERE" \
    "# Debian's coturn.service keeps its database in /var/lib/turn/turndb (the default)."
  exit 0
fi

# ---- the secret ----------------------------------------------------------------------------------------
[ -e "$secret_file" ] || die "--secret-file '$secret_file' does not exist"
[ -f "$secret_file" ] || die "--secret-file '$secret_file' is not a regular file"
[ -r "$secret_file" ] || die "--secret-file '$secret_file' is not readable"
mode=$(stat -L -c %a "$secret_file")
(( (8#$mode & 8#044) == 0 )) || die "--secret-file '$secret_file' is readable by others (mode $mode): chmod 600 '$secret_file'"
secret=$(<"$secret_file")                 # drops trailing newlines
secret=${secret%"${secret##*[![:space:]]}"}  # and trailing spaces
[ -n "$secret" ] || die "--secret-file '$secret_file' is empty"
LC_ALL=C                # byte-wise ranges in the pattern below
bad_chars='*[^!-~]*'    # anything outside visible ASCII
if [[ $secret == $bad_chars || $secret == *[\"\'#\\]* ]]; then
  die "--secret-file '$secret_file': the secret may hold only visible ASCII characters other than quotes, '#' and '\\' (one line)"
fi
[ ${#secret} -ge 16 ] || die "--secret-file '$secret_file': the secret is too short (${#secret} characters, at least 16)"

# ---- the state directory and the configuration file ------------------------------------------------
command -v turnserver >/dev/null || die "turnserver not found: apt-get install coturn (./run.sh --with-turn installs it)"
if [ -e "$state_dir" ]; then
  [ -d "$state_dir" ] || die "--state-dir '$state_dir' is not a folder"
  [ -w "$state_dir" ] || die "--state-dir '$state_dir' is not writable"
fi
[ $check_only = 0 ] || exit 0
if [ ! -d "$state_dir" ]; then
  mkdir -p -m 700 "$state_dir" || die "cannot create --state-dir '$state_dir'"
fi
state_dir=$(realpath "$state_dir")
conf=$state_dir/turnserver.conf
umask 077
tmp=$(mktemp "$state_dir/.turnserver.conf.XXXXXX")
trap 'rm -f "$tmp"' EXIT
emit_config "static-auth-secret=$secret" "userdb=$state_dir/turndb" >"$tmp"
chmod 600 "$tmp"
mv -f "$tmp" "$conf"
trap - EXIT
# coturn's two authentication threads race to create a missing database ("database is locked"), and
# an allocation made meanwhile is refused with 401: create it first from the package's own schema.
schema=/usr/share/coturn/schema.sql
if [ ! -s "$state_dir/turndb" ] && [ -f "$schema" ]; then
  python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript(open(sys.argv[2]).read()); db.close()' \
    "$state_dir/turndb" "$schema" || die "cannot create coturn's database $state_dir/turndb"
fi
echo "[turn] coturn $(turnserver --version 2>/dev/null | tail -n1) on port $port (UDP+TCP$([ -n "$cert" ] && echo ", TLS $tls_port")), relay ports $min_port-$max_port; config $conf" >&2
exec turnserver -c "$conf" --log-file stdout
