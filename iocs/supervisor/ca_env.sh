# Channel Access client environment for the IOCs run by start_supervisor.sh. Source it (". ca_env.sh") in the
# shell that runs your CA clients, before they start: libca reads these variables once.
# Each IOC listens on its own address ${SOPHYD_IOC_NET:-127.0.0}.<host> (several IOCs on one address would not
# all answer searches); the hosts come from sophyd_iocs.registry (the shipped IOCs) and $SOPHYD_EXTRA_IOCS (your
# own IOC modules or scripts, on .21, .22, ...), read with the Python that has sophyd (see find_python.sh).
_sophyd_net="${SOPHYD_IOC_NET:-127.0.0}"
# shellcheck source=find_python.sh
. "$(dirname "${BASH_SOURCE[0]}")/find_python.sh"
_sophyd_python="$(sophyd_find_python "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" || true)"
# shellcheck disable=SC2086 # SOPHYD_EXTRA_IOCS is a space-separated list
if [ -n "$_sophyd_python" ] && _sophyd_hosts="$(cd / && "$_sophyd_python" -m sophyd_iocs.registry hosts ${SOPHYD_EXTRA_IOCS:-})"; then
    EPICS_CA_ADDR_LIST=""
    for _sophyd_host in $_sophyd_hosts; do
        EPICS_CA_ADDR_LIST="${EPICS_CA_ADDR_LIST:+$EPICS_CA_ADDR_LIST }${_sophyd_net}.${_sophyd_host}"
    done
    export EPICS_CA_ADDR_LIST
    export EPICS_CA_AUTO_ADDR_LIST=NO
    export EPICS_CA_MAX_ARRAY_BYTES="${EPICS_CA_MAX_ARRAY_BYTES:-16777216}"
else
    echo "ca_env.sh: found no python that can run sophyd_iocs.registry; set SOPHYD_PYTHON to the python that has sophyd" >&2
fi
unset _sophyd_net _sophyd_hosts _sophyd_host _sophyd_python
unset -f sophyd_find_python
