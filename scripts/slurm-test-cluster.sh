#!/usr/bin/env bash
# slurm-test-cluster.sh -- a private, throw-away single-node Slurm cluster for
# integration tests (no systemd, nothing in /etc/slurm or /etc/munge touched).
#
# `start` creates a state folder, generates a munge key there, starts a private
# munged (own socket), writes DIR/slurm.conf (free TCP ports picked at start),
# starts slurmctld and slurmd as root, waits until the node is idle, and prints
# only shell lines meant for `eval` on stdout (diagnostics go to stderr).
# `stop` cancels all jobs, kills exactly the daemons recorded in DIR (by PID)
# and removes DIR.
# Several clusters may run side by side (distinct folders and ports).
#
# Usage:
#   eval "$(scripts/slurm-test-cluster.sh start)"     # optional: start DIR
#   sbatch --wrap 'hostname'; squeue; ...
#   scripts/slurm-test-cluster.sh status              # optional
#   scripts/slurm-test-cluster.sh stop                # DIR default: $MRI_DAPS_SLURM_DIR
#
# Needs root (SlurmUser=root), packages slurm-wlm, slurm-client and munge.
# Caveats: there is no slurmdbd, so `sacct` fails ("Slurm accounting storage is
# disabled", exit 1); use squeue -t all / scontrol show job (finished jobs are
# kept MinJobAge=300 s) or DIR/jobcomp.txt (jobcomp/filetxt, one line per job).
# Jobs run as root. A job whose dependency can never be met is cancelled.
set -euo pipefail

log() { echo "slurm-test-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Cancel all jobs (so that their slurmstepd and job processes end cleanly),
# then stop the daemons whose PIDs are recorded in $1.
stop_daemons() {
  local dir=$1 name pid i cwd
  if [[ -s $dir/slurmctld.pid && -f $dir/slurm.conf ]] &&
    SLURM_CONF="$dir/slurm.conf" scancel --partition=debug 2>/dev/null; then
    for ((i = 0; i < 75; i++)); do
      [[ -z $(SLURM_CONF="$dir/slurm.conf" squeue -h -o %A 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
  # Signal all daemons at once (each takes 1-2 s to exit), then wait for them.
  local pids=()
  for name in slurmd slurmctld munged; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    rm -f "$dir/$name.pid"
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/comm ]] || continue
    # Only signal the process if it still is the daemon we started.
    [[ $(<"/proc/$pid/comm") == "$name"* ]] || continue
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Last resort: step daemons of this cluster that outlived slurmd (they have
  # no useful command line, but their working directory is $dir).
  for pid in $(pgrep -x slurmstepd || true); do
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    [[ $cwd == "$dir" || $cwd == "$dir/"* ]] || continue
    log "killing leftover slurmstepd $pid and its job processes"
    # shellcheck disable=SC2046
    kill -KILL "$pid" $(descendants "$pid") 2>/dev/null || true
  done
}

descendants() { # all (grand)children of PID $1
  local p
  for p in $(pgrep -P "$1" || true); do
    echo "$p"
    descendants "$p"
  done
}

dump_logs() {
  local f
  for f in "$1"/*.log; do
    [[ -f $f ]] || continue
    echo "---- tail of $f ----" >&2
    tail -n 25 "$f" >&2 || true
  done
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  log "timed out after ${secs}s waiting for $what"
  return 1
}

cmd_start() {
  [[ $(id -u) == 0 ]] || die "must run as root (SlurmUser=root)"
  local b
  for b in munged slurmctld slurmd sinfo python3; do
    command -v "$b" >/dev/null || die "$b not found"
  done
  local dir=${1:-} made_dir=0
  if [[ -z $dir ]]; then
    dir=$(mktemp -d /tmp/mri-daps-slurm.XXXXXX)
    # shellcheck disable=SC2034 # read by the ERR trap below
    made_dir=1
  else
    mkdir -p "$dir"
  fi
  dir=$(cd "$dir" && pwd)
  chmod 0711 "$dir" # munged warns unless its socket's folder is searchable
  mkdir -p "$dir/state" "$dir/spool"
  # On any failure: show the logs, stop what was started, drop our temp folder.
  trap 'log "start failed"; dump_logs "$dir"; stop_daemons "$dir"; ((made_dir == 0)) || rm -rf "$dir"' ERR

  # --- munge: private key, socket, pid/log/seed files ---
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$dir/munge.key" --force
  else
    dd if=/dev/urandom of="$dir/munge.key" bs=1 count=1024 status=none
  fi
  chmod 0400 "$dir/munge.key"
  munged --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" \
    --seed-file="$dir/munged.seed" --force
  wait_for 10 "munged" test -S "$dir/munge.socket"

  # --- slurm.conf ---
  local ctld_port slurmd_port cpus mem_mb cluster node
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
  cpus=$(nproc)
  mem_mb=$(awk '/^MemTotal:/ { m = int($2 / 1024) - 1024; print (m < 512 ? 512 : m) }' /proc/meminfo)
  cluster="mridaps${ctld_port}"
  node="mridaps-node"
  : >"$dir/plugstack.conf" # keep /etc/slurm/plugstack.conf out of the picture
  cat >"$dir/slurm.conf" <<EOF
# Generated by scripts/slurm-test-cluster.sh -- private test cluster.
ClusterName=$cluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
PlugStackConfig=$dir/plugstack.conf
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.txt
ReturnToService=2
MaxArraySize=10001
DependencyParameters=kill_invalid_depend
MinJobAge=300
NodeName=$node NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

  # --- daemons (they fork and write their pid files themselves) ---
  slurmctld -c -i -f "$dir/slurm.conf"
  wait_for 15 "slurmctld" env SLURM_CONF="$dir/slurm.conf" scontrol ping
  slurmd -f "$dir/slurm.conf" -N "$node"
  # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
  wait_for 30 "node $node to become idle" \
    bash -c '[[ $(SLURM_CONF="$1" sinfo -h -n "$2" -o %t) == idle ]]' _ "$dir/slurm.conf" "$node"
  trap - ERR

  log "cluster $cluster up in $dir (slurmctld :$ctld_port, slurmd :$slurmd_port)"
  printf 'export SLURM_CONF=%q\n' "$dir/slurm.conf"
  printf 'export MRI_DAPS_SLURM_DIR=%q\n' "$dir"
}

cmd_stop() {
  local dir=${1:-${MRI_DAPS_SLURM_DIR:-}}
  [[ -n $dir ]] || die "usage: $0 stop DIR (or set MRI_DAPS_SLURM_DIR)"
  if [[ ! -d $dir ]]; then
    log "$dir does not exist; nothing to stop"
    return 0
  fi
  dir=$(cd "$dir" && pwd)
  [[ -f $dir/slurm.conf || -f $dir/munge.key ]] || die "$dir does not look like a test-cluster folder"
  stop_daemons "$dir"
  rm -rf "$dir"
  log "stopped and removed $dir"
}

cmd_status() {
  local dir=${1:-${MRI_DAPS_SLURM_DIR:-}} name pid
  [[ -n $dir && -d $dir ]] || die "no cluster folder (give DIR or set MRI_DAPS_SLURM_DIR)"
  for name in munged slurmctld slurmd; do
    pid=$(cat "$dir/$name.pid" 2>/dev/null || true)
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$name: running (pid $pid)" || echo "$name: not running"
  done
  SLURM_CONF="$dir/slurm.conf" sinfo || true
}

case ${1:-} in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  *) echo "usage: $0 {start [DIR] | stop [DIR] | status [DIR]}" >&2; exit 2 ;;
esac
