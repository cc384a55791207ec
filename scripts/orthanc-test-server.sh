#!/usr/bin/env bash
# A throw-away Orthanc PACS for the DICOM send tests (Debian `orthanc` + `orthanc-dicomweb`).
#
#   scripts/orthanc-test-server.sh start DIR [OWNER_PID]
#       Writes DIR/orthanc.json (storage in DIR/storage, free HTTP and DICOM ports, DicomWeb plugin,
#       HTTP Basic user mridaps:test-secret, "RemoteAccessAllowed": false, AET ORTHANC, calling AE
#       MRIDAPS registered), starts Orthanc with its output in DIR/orthanc.log, waits until the REST
#       API and the DicomWeb plugin answer, and prints KEY=VALUE lines:
#       ORTHANC_PID, ORTHANC_HTTP_PORT, ORTHANC_DICOM_PORT, ORTHANC_AET, ORTHANC_USER, ORTHANC_PASSWORD.
#       A watchdog stops Orthanc when OWNER_PID (default: the caller, $PPID) exits, so a crashed test
#       leaves no server behind.
#   scripts/orthanc-test-server.sh stop DIR
#       Stops that Orthanc (and its watchdog) by the PIDs recorded in DIR: SIGTERM, then SIGKILL
#       after 10 s. DIR itself is left for the caller to delete.
#
# Orthanc 1.10 binds HTTP and DICOM on all interfaces (it has no bind-address option); HTTP
# refuses non-loopback clients ("RemoteAccessAllowed": false) and needs the test password, and both
# ports are random and live only as long as the test.
set -euo pipefail

usage() { echo "usage: $0 start DIR [OWNER_PID] | stop DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1
dir=$2
user=mridaps
password=test-secret
aet=ORTHANC

plugin() {
  local p
  for p in "${ORTHANC_DICOMWEB_PLUGIN:-}" /usr/share/orthanc/plugins/libOrthancDicomWeb.so \
           $(dpkg -L orthanc-dicomweb 2>/dev/null | grep 'libOrthancDicomWeb\.so' || true); do
    [[ -n "$p" && -f "$p" ]] && { echo "$p"; return 0; }
  done
  return 1
}

# Two free TCP ports (bound together, so they differ; released just before Orthanc takes them).
free_ports() {
  /usr/bin/python3 - <<'EOF'
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in ss))
for s in ss:
    s.close()
EOF
}

# True while PID runs (a zombie awaiting its reaper counts as stopped).
alive() {
  local state
  state=$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

stop_pid() {  # stop_pid PID: TERM, wait ≤ 10 s, then KILL
  local pid=$1 i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Starts a program detached from whatever the caller leaked into us: an empty signal mask (test
# runners spawn children with signals blocked, and Orthanc would then ignore SIGTERM) and no file
# descriptors above 2 (an inherited pipe would keep the caller waiting for EOF). Run it only in
# the background (`detached … &`): it execs, so `$!` is the program's own PID.
detached() {
  exec /usr/bin/python3 -c 'import os, signal, sys
signal.pthread_sigmask(signal.SIG_SETMASK, [])
os.closerange(3, 65536)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

case "$cmd" in
start)
  owner=${3:-$PPID}
  command -v Orthanc >/dev/null || { echo "Orthanc not installed (apt-get install orthanc orthanc-dicomweb)" >&2; exit 3; }
  so=$(plugin) || { echo "DicomWeb plugin not found (apt-get install orthanc-dicomweb)" >&2; exit 3; }
  mkdir -p "$dir/storage"
  for attempt in 1 2 3; do
    read -r http dicom < <(free_ports)
    cat >"$dir/orthanc.json" <<EOF
{
  "Name": "mri-daps test PACS",
  "StorageDirectory": "$dir/storage",
  "IndexDirectory": "$dir/storage",
  "Plugins": ["$so"],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/" },
  "HttpPort": $http,
  "DicomPort": $dicom,
  "DicomAet": "$aet",
  "DicomCheckCalledAet": true,
  "DicomAlwaysAllowStore": true,
  "DicomModalities": { "mridaps": ["MRIDAPS", "127.0.0.1", 11112] },
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": true,
  "RegisteredUsers": { "$user": "$password" },
  "SaveJobs": false,
  "StorageCompression": false,
  "HttpTimeout": 10
}
EOF
    detached Orthanc "$dir/orthanc.json" >"$dir/orthanc.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/orthanc.pid"
    ready=0
    for ((i = 0; i < 200; i++)); do  # ≤ 20 s
      alive "$pid" || break
      if curl -sf -u "$user:$password" "http://127.0.0.1:$http/plugins/dicom-web" >/dev/null 2>&1; then ready=1; break; fi
      sleep 0.1
    done
    if ((ready)); then
      # Watchdog: stop Orthanc when the owner goes away without calling stop.
      detached /bin/bash -c 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done
        kill -TERM "$2" 2>/dev/null || true' watchdog "$owner" "$pid" </dev/null >/dev/null 2>&1 &
      echo "$!" >"$dir/watchdog.pid"
      echo "ORTHANC_PID=$pid"
      echo "ORTHANC_HTTP_PORT=$http"
      echo "ORTHANC_DICOM_PORT=$dicom"
      echo "ORTHANC_AET=$aet"
      echo "ORTHANC_USER=$user"
      echo "ORTHANC_PASSWORD=$password"
      exit 0
    fi
    stop_pid "$pid"
    rm -f "$dir/orthanc.pid"
    echo "Orthanc did not come up (attempt $attempt, ports $http/$dicom): $(tail -n 3 "$dir/orthanc.log" | tr '\n' ' ')" >&2
  done
  exit 1
  ;;
stop)
  if [[ -f "$dir/watchdog.pid" ]]; then
    kill -KILL "$(cat "$dir/watchdog.pid")" 2>/dev/null || true
    rm -f "$dir/watchdog.pid"
  fi
  if [[ -f "$dir/orthanc.pid" ]]; then
    stop_pid "$(cat "$dir/orthanc.pid")"
    rm -f "$dir/orthanc.pid"
  fi
  ;;
*) usage ;;
esac
