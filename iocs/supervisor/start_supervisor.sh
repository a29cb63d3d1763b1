#!/usr/bin/env bash
# Run sophyd's simulated IOCs under supervisord: start supervisord if it is not running, then pass the
# arguments to supervisorctl ("status" by default; e.g. "restart all", "stop all", "pid NAME", "shutdown").
# "status" reports an IOC RUNNING only once it answers on Channel Access (STARTING before that); a "status" that
# starts supervisord waits until every IOC answers, and every "status" ends with the line to source for clients.
# "env" prints the CA client environment (the same as sourcing ca_env.sh).
#
# Environment (all optional):
#   SOPHYD_SUPERVISOR_DIR  runtime directory for the socket, pid file, rendered programs and logs
#                          (default $XDG_RUNTIME_DIR/sophyd-supervisor, else /tmp/sophyd-supervisor-$UID)
#   SOPHYD_PYTHON          the python that has sophyd, caproto and supervisor (default: the environment these
#                          scripts are installed in, or the checkout's .venv, else python3; see find_python.sh)
#   SOPHYD_START_TIMEOUT   seconds a first "status" waits for every IOC to answer (default 60)
#   SOPHYD_IOC_NET         first three octets of the IOC addresses (default 127.0.0; each IOC's last octet is
#                          its host in sophyd_iocs.registry: .11, .12, .13)
#   SOPHYD_IOC_PREFIX      prepended to every IOC's default prefix (default empty)
#   SOPHYD_EXTRA_IOCS      your own IOCs, space-separated module names or paths to .py files following the
#                          conventions in sophyd_iocs/__init__.py; they run on .21, .22, ... in order
# IOCs are rendered into the configuration when supervisord starts; "shutdown" then "status" picks up changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
conf="$here/supervisord.conf"

if [ -n "${SOPHYD_SUPERVISOR_DIR:-}" ]; then
    dir="$SOPHYD_SUPERVISOR_DIR"
elif [ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ -w "$XDG_RUNTIME_DIR" ]; then
    dir="$XDG_RUNTIME_DIR/sophyd-supervisor"
else
    dir="/tmp/sophyd-supervisor-$(id -u)"
fi
mkdir -p -m 700 "$dir"
dir="$(cd "$dir" && pwd)"
export SOPHYD_SUPERVISOR_DIR="$dir"
sock="$dir/supervisor.sock"
pidfile="$dir/supervisord.pid"
table="$dir/iocs.txt" # one line per IOC: name, probe PV, address

# shellcheck source=ca_env.sh
. "$here/ca_env.sh"
net="${SOPHYD_IOC_NET:-127.0.0}"

if [ "${1:-status}" = env ]; then
    printf 'export EPICS_CA_ADDR_LIST="%s"\n' "$EPICS_CA_ADDR_LIST"
    printf 'export EPICS_CA_AUTO_ADDR_LIST=%s\n' "$EPICS_CA_AUTO_ADDR_LIST"
    printf 'export EPICS_CA_MAX_ARRAY_BYTES=%s\n' "$EPICS_CA_MAX_ARRAY_BYTES"
    exit 0
fi

# shellcheck source=find_python.sh
. "$here/find_python.sh"
if ! py="$(sophyd_find_python "$here")"; then
    echo "error: found no python that can import caproto, sophyd_iocs, sophyd and supervisor" \
        "(looked for \$SOPHYD_PYTHON, the environment above $here, a checkout's .venv, python3 on PATH);" \
        "install sophyd (the README's first command) or set SOPHYD_PYTHON to the python it is installed in" >&2
    exit 2
fi
# The sophyd_iocs found must be the one shipped with this sophyd (IOCPackageError names both paths).
if ! (cd / && "$py" -c 'from sophyd.sim.launch import ioc_package_dir; ioc_package_dir()'); then
    exit 2
fi
export PYTHONUNBUFFERED=1

ctl() { "$py" -m supervisor.supervisorctl -c "$conf" "$@"; }
is_up() { [ -S "$sock" ] && ctl pid >/dev/null 2>&1; }

supervisord_pid() {
    # The pid in the pid file if that process is alive and is a supervisord, else nothing.
    local pid
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ps -p "$pid" -o args= 2>/dev/null | grep -q supervisord; then
        echo "$pid"
    fi
}

render_programs() {
    # One [program:NAME] file per IOC module that exists, and the table used by "status".
    mkdir -p "$dir/programs"
    rm -f "$dir/programs/"*.conf "$table"
    local lines name host prefix ready addr target
    # shellcheck disable=SC2086 # SOPHYD_EXTRA_IOCS is a space-separated list
    lines="$(cd / && "$py" -m sophyd_iocs.registry programs ${SOPHYD_EXTRA_IOCS:-})"
    while read -r name host prefix ready target; do
        [ -n "$name" ] || continue
        addr="$net.$host"
        prefix="${SOPHYD_IOC_PREFIX:-}$prefix"
        cat >"$dir/programs/$name.conf" <<EOF
[program:$name]
command = "$py" ${target//%/%%} --prefix "${prefix//%/%%}" --interfaces $addr
autostart = true
autorestart = true
startsecs = 1
startretries = 10
stopsignal = TERM
stopwaitsecs = 5
stopasgroup = true
killasgroup = true
redirect_stderr = true
stdout_logfile = %(ENV_SOPHYD_SUPERVISOR_DIR)s/%(program_name)s.log
stdout_logfile_maxbytes = 1MB
stdout_logfile_backups = 1
EOF
        echo "$name $prefix$ready $addr" >>"$table"
    done <<<"$lines"
}

start_supervisord() {
    local pid name pv addr leftover warn_leftovers=""
    pid="$(supervisord_pid)"
    if [ -n "$pid" ]; then
        echo "error: supervisord (pid $pid) is running but does not answer on $sock" >&2
        exit 1
    fi
    if [ -e "$sock" ] || [ -e "$pidfile" ]; then
        # Stale: supervisord died without cleaning up. Its IOCs may still run (they are not ours to kill).
        echo "note: removing stale $sock (supervisord is not running)" >&2
        rm -f "$sock" "$pidfile"
        warn_leftovers=1
    fi
    render_programs
    if [ -n "$warn_leftovers" ] && [ -s "$table" ]; then
        # shellcheck disable=SC2046
        leftover="$(cd / && EPICS_CA_ADDR_LIST="$(cut -d' ' -f3 "$table" | tr '\n' ' ')" EPICS_CA_AUTO_ADDR_LIST=NO \
            "$py" -m sophyd.control.probe $(cut -d' ' -f2 "$table") --timeout 0.5 || true)"
        while read -r name pv addr; do
            if ! grep -qx "$pv" <<<"$leftover"; then
                echo "warning: $pv already answers on $addr: an IOC left over from a dead supervisord?" >&2
            fi
        done <"$table"
    fi
    (cd "$dir" && "$py" -m supervisor.supervisord -c "$conf")
    local i
    for i in $(seq 100); do # up to ~10 s for the socket to answer
        if is_up; then return 0; fi
        sleep 0.1
    done
    echo "error: supervisord did not start; see $dir/supervisord.log" >&2
    tail -n 20 "$dir/supervisord.log" >&2 || true
    exit 1
}

status() {
    # supervisorctl status, with RUNNING replaced by STARTING for IOCs that do not answer on CA yet.
    # Exit status 0 only when every listed program is RUNNING (and answers), else 3.
    local out name pv addr pvs="" addrs="" missing
    out="$(ctl status "$@")" || true
    if [ -f "$table" ]; then
        while read -r name pv addr; do
            if grep -Eq "^$name[[:space:]]+RUNNING" <<<"$out"; then
                pvs="$pvs $pv"
                addrs="$addrs $addr"
            fi
        done <"$table"
    fi
    if [ -n "$pvs" ]; then
        # shellcheck disable=SC2086
        missing="$(cd / && EPICS_CA_ADDR_LIST="${addrs# }" EPICS_CA_AUTO_ADDR_LIST=NO \
            "$py" -m sophyd.control.probe $pvs --timeout 1 || true)"
        while read -r name pv addr; do
            if grep -qx "$pv" <<<"$missing"; then
                out="$(sed -E "s/^($name[[:space:]]+)RUNNING/\1STARTING/" <<<"$out")"
            fi
        done <"$table"
    fi
    echo "$out"
    echo "# point CA clients at these IOCs, in the shell that starts them: . $here/ca_env.sh"
    if [ -z "$out" ] || grep -Evq "^[^[:space:]]+[[:space:]]+RUNNING" <<<"$out"; then
        echo "note: STARTING means the IOC runs but does not answer on Channel Access yet, which is normal" \
            "for a few seconds after a start; run 'status' again (IOC logs: $dir/<name>.log)" >&2
        return 3 # as supervisorctl: not everything is running
    fi
}

wait_until_running() {
    # After starting supervisord: wait until every IOC answers, so that the first "status" is the real one.
    local deadline=$((SECONDS + ${SOPHYD_START_TIMEOUT:-60}))
    echo "waiting for the IOCs to answer on Channel Access (up to ${SOPHYD_START_TIMEOUT:-60} s)..." >&2
    while [ "$SECONDS" -lt "$deadline" ]; do
        if status >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
}

shutdown() {
    local pid i
    if ! is_up; then
        echo "supervisord is not running"
        return 0
    fi
    pid="$(supervisord_pid)"
    ctl shutdown
    for i in $(seq 300); do # up to ~30 s for the IOCs and supervisord to exit
        if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "error: supervisord (pid $pid) did not exit" >&2
    return 1
}

command="${1:-status}"
[ $# -gt 0 ] && shift
case "$command" in
shutdown)
    shutdown
    ;;
*)
    if ! is_up; then
        start_supervisord
        if [ "$command" = status ] && [ $# -eq 0 ]; then
            wait_until_running
        fi
    fi
    if [ "$command" = status ]; then
        status "$@"
    else
        ctl "$command" "$@"
    fi
    ;;
esac
