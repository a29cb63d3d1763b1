# Sourced by start_supervisor.sh and ca_env.sh: sophyd_find_python DIR prints the Python that has sophyd, its
# IOCs, caproto and supervisor, looked for in this order:
#   $SOPHYD_PYTHON;
#   the environment these scripts are installed in (a directory above DIR with a pyvenv.cfg), or the .venv of
#   the checkout they are in (a directory above DIR with .venv/bin/python), as the README's commands make it;
#   python3 on PATH.
# It returns 1, printing nothing, when none of them can import those packages.
sophyd_find_python() {
    local dir="$1" candidate
    local -a candidates=()
    if [ -n "${SOPHYD_PYTHON:-}" ]; then
        candidates+=("$(command -v "$SOPHYD_PYTHON" || true)")
    else
        while [ -n "$dir" ] && [ "$dir" != / ]; do
            [ -f "$dir/pyvenv.cfg" ] && candidates+=("$dir/bin/python")
            [ -x "$dir/.venv/bin/python" ] && candidates+=("$dir/.venv/bin/python")
            dir="$(dirname "$dir")"
        done
        candidates+=("$(command -v python3 || true)")
    fi
    for candidate in "${candidates[@]}"; do
        # find_spec, not import: caproto takes a while to import and this runs on every call.
        if [ -x "$candidate" ] && (cd / && "$candidate" -c 'import importlib.util as u, sys
sys.exit(not all(map(u.find_spec, ["caproto", "sophyd_iocs", "sophyd", "supervisor"])))') 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
