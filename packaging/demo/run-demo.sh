#!/usr/bin/env bash
# Hark demo: a private Kamailio on 127.0.0.1 with four demo users, and Hark
# logged in as alice.
#
#   packaging/demo/run-demo.sh                 # server + Hark (cargo run)
#   packaging/demo/run-demo.sh --server-only   # server only, until Ctrl+C
#   packaging/demo/run-demo.sh -- --lang de    # arguments after -- go to Hark
#
# Environment:
#   HARK_DEMO_PORT   SIP port, UDP and TCP (default 5060; a busy port is
#                    skipped for the next free one)
#   HARK_DEMO_IP     address to listen on (default 127.0.0.1)
#   HARK_BIN         run this Hark binary instead of `cargo run --`
#   HARK_DEMO_KEEP=1 keep the temporary directory (log, database, config)
#
# Uses tests/kamailio/kamailio.cfg, the same config as the tests.
# Needs: apt-get install kamailio kamailio-sqlite-modules sqlite3
set -euo pipefail

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
}

server_only=0
hark_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --server-only) server_only=1 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; hark_args=("$@"); break ;;
        *) echo "run-demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cfg="$repo/tests/kamailio/kamailio.cfg"
schema_dir=/usr/share/kamailio/db_sqlite
domain=hark.test
ip=${HARK_DEMO_IP:-127.0.0.1}
users=(alice bob carol dave)
password=demo

die() {
    echo "run-demo.sh: $*" >&2
    exit 1
}

install_hint="apt-get install kamailio kamailio-sqlite-modules sqlite3"
command -v kamailio >/dev/null || die "kamailio is not installed: $install_hint"
command -v kamcmd >/dev/null || die "kamcmd is missing (package kamailio): $install_hint"
command -v sqlite3 >/dev/null || die "sqlite3 is not installed: $install_hint"
[ -r "$schema_dir/auth_db-create.sql" ] || die "no SQLite schemas in $schema_dir: $install_hint"
[ -r "$cfg" ] || die "missing $cfg"

umask 077
dir=$(mktemp -d "${TMPDIR:-/tmp}/hark-demo.XXXXXX")
run="$dir/run"
db="$dir/kamailio.sqlite"
log="$dir/kamailio.log"
ctl="$run/kamailio_ctl"
mkdir -p "$run"
pgid=""

stop_kamailio() {
    [ -n "$pgid" ] || return 0
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 -- "-$pgid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
    pgid=""
}

cleanup() {
    stop_kamailio
    if [ "${HARK_DEMO_KEEP:-0}" = 1 ]; then
        echo "run-demo.sh: kept $dir"
    else
        rm -rf "$dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Fresh database: schemas and the demo users (plaintext passwords; the
# config computes MD5 or SHA-256 HA1 from them).
for schema in standard auth_db usrloc registrar presence msilo; do
    sqlite3 "$db" <"$schema_dir/$schema-create.sql"
done
# WAL: Kamailio's workers read while another writes (presence).
sqlite3 "$db" "PRAGMA journal_mode=WAL;" >/dev/null
# Chat rooms (imc) keep their tables on db_text (see PEERS.md).
dbtext="$dir/dbtext"
dbtext_schema=/usr/share/kamailio/dbtext/kamailio
mkdir -p "$dbtext"
{
    head -n 1 "$dbtext_schema/version"
    grep -E '^[0-9]+:imc_(rooms|members):' "$dbtext_schema/version"
} >"$dbtext/version"
cp "$dbtext_schema/imc_rooms" "$dbtext_schema/imc_members" "$dbtext/"
for user in "${users[@]}"; do
    sqlite3 "$db" "INSERT INTO subscriber (username, domain, password) VALUES ('$user', '$domain', '$password');"
done

port_busy() {
    if command -v ss >/dev/null; then
        [ -n "$(ss -Hlnu "sport = :$1" 2>/dev/null)$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]
    else
        return 1 # unknown: let Kamailio's bind decide
    fi
}

# Starts Kamailio on port $1 in its own session (process group: its pid,
# from the pid file, is the group to signal); returns 0 once it answers on
# its control socket, 1 if the port was taken.  `setsid -f -w` stays in our
# process group and lives exactly as long as Kamailio does.
start_kamailio() {
    local port=$1
    rm -f "$ctl" "$run/kamailio.pid"
    echo "===== run-demo.sh: starting kamailio on $ip:$port =====" >>"$log"
    setsid -f -w kamailio -f "$cfg" -DD -E -Y "$run" -P "$run/kamailio.pid" -m 64 -M 8 -w "$run" \
        -A "LISTEN_IP=$ip" -A "UDP_PORT=$port" -A "TCP_PORT=$port" \
        -A "SIP_DOMAIN=\"$domain\"" \
        -A "DBURL=\"sqlite:///$db\"" \
        -A "CTL_SOCKET=\"unix:$ctl\"" \
        -A WITH_PRESENCE_OPEN \
        -A "SERVER_URI=\"sip:$ip:$port\"" \
        -A WITH_MSILO \
        -A WITH_IMC -A "CONF_DOMAIN=\"conference.$domain\"" \
        -A "IMC_DBURL=\"text:///$dbtext\"" \
        </dev/null >>"$log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do
        if [ -s "$run/kamailio.pid" ]; then
            pgid=$(cat "$run/kamailio.pid")
        fi
        if [ -n "$pgid" ] && kamcmd -s "unix:$ctl" core.uptime >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            pgid=""
            if grep -q "Address already in use" "$log"; then
                return 1
            fi
            echo "run-demo.sh: kamailio did not start; its log:" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "run-demo.sh: kamailio did not answer within 10 s; its log:" >&2
    cat "$log" >&2
    exit 1
}

port=${HARK_DEMO_PORT:-5060}
started=0
for attempt in $(seq 0 20); do
    candidate=$((port + 2 * attempt))
    if port_busy "$candidate"; then
        echo "run-demo.sh: port $candidate is busy, trying $((candidate + 2))" >&2
        continue
    fi
    if start_kamailio "$candidate"; then
        port=$candidate
        started=1
        break
    fi
    echo "run-demo.sh: port $candidate is busy, trying $((candidate + 2))" >&2
    : >"$log"
done
[ "$started" = 1 ] || die "no free port from ${HARK_DEMO_PORT:-5060} on"

# Hark's config for alice (mode 0600: it holds a password).
hark_cfg="$dir/hark.toml"
cat >"$hark_cfg" <<EOF
[[account]]
address = "sip:alice@$domain"
password = "$password"
server = "$ip:$port"   # registrar / outbound proxy host:port
transport = "udp"      # udp | tcp
EOF
chmod 0600 "$hark_cfg"

cat <<EOF

Hark demo server: Kamailio on $ip:$port (UDP and TCP), domain $domain
  users (password "$password"):
$(for u in "${users[@]}"; do echo "    sip:$u@$domain"; done)
  any SIP client: user, password "$password", domain $domain,
  outbound proxy / server $ip:$port
  chat: messages to someone offline are kept and delivered at their login;
  group chat rooms at sip:ROOM@conference.$domain
  Hark config for alice: $hark_cfg
  Kamailio log:          $log
  registrations:         kamcmd -s unix:$ctl ul.dump

EOF

if [ "$server_only" = 1 ]; then
    echo "Server only; Ctrl+C stops it."
    while [ -n "$pgid" ] && kill -0 "$pgid" 2>/dev/null; do
        sleep 1
    done
    echo "run-demo.sh: kamailio exited; its log:" >&2
    tail -n 30 "$log" >&2
    exit 1
fi

# Alice's demo contacts, added through the control socket once Hark is up.
add_demo_contacts() {
    local hark=$1 sock="$dir/control.sock"
    for _ in $(seq 600); do
        [ -S "$sock" ] && break
        sleep 0.1
    done
    [ -S "$sock" ] || return 0
    local name group
    for user in bob carol dave; do
        name="${user^}"
        group=$([ "$user" = dave ] && echo Friends || echo Team)
        "$hark" --socket "$sock" send \
            "{\"cmd\":\"add_contact\",\"account\":\"sip:alice@$domain\",\"contact\":{\"uri\":\"sip:$user@$domain\",\"name\":\"$name\",\"group\":\"$group\"}}" \
            >/dev/null 2>&1 || true
    done
}

status=0
# The demo keeps its own database and control socket, apart from a real Hark's.
demo_args=(--config "$hark_cfg" --database "$dir/hark.db" --socket "$dir/control.sock" --no-keyring)
if [ -n "${HARK_BIN:-}" ]; then
    add_demo_contacts "$HARK_BIN" &
    "$HARK_BIN" "${demo_args[@]}" "${hark_args[@]}" || status=$?
else
    (cd "$repo" && cargo build --quiet) || exit 1
    add_demo_contacts "$repo/target/debug/hark" &
    (cd "$repo" && cargo run --quiet -- "${demo_args[@]}" "${hark_args[@]}") || status=$?
fi
exit "$status"
