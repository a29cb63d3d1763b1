# Channel Access client environment for the IOCs run by start_supervisor.sh. Source it (". ca_env.sh") in the
# shell that runs your CA clients, before they start: libca reads these variables once.
# Each IOC listens on its own address ${SOPHYD_IOC_NET:-127.0.0}.11 (trigger_with_pc), .12 (motors),
# .13 (pattern), .14 (tempctrl); several IOCs on one address would not all answer searches.
_sophyd_net="${SOPHYD_IOC_NET:-127.0.0}"
export EPICS_CA_ADDR_LIST="${_sophyd_net}.11 ${_sophyd_net}.12 ${_sophyd_net}.13 ${_sophyd_net}.14"
export EPICS_CA_AUTO_ADDR_LIST=NO
export EPICS_CA_MAX_ARRAY_BYTES="${EPICS_CA_MAX_ARRAY_BYTES:-16777216}"
unset _sophyd_net
