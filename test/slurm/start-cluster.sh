#!/usr/bin/env bash
# Starts a single-node Slurm cluster on this machine from Debian's packages (slurm-wlm, munge),
# for the Slurm executor's tests, CI and the batch benchmark. Needs root. Idempotent: a cluster
# that already answers is left running.
#
#   sudo bash test/slurm/start-cluster.sh [--install]     # --install: apt-get the packages first
#   sudo bash test/slurm/start-cluster.sh --stop
#
# Facts that shaped it (containers and CI runners have no systemd):
# - munged is started directly, as user munge, after creating /run/munge and a key;
# - slurmctld -i and slurmd run as daemons started by hand; no cgroups: proctrack/linuxproc,
#   task/none; select/cons_tres with CR_CPU so jobs share the node by CPU count;
# - the node line comes from `slurmd -C` with NodeAddr=127.0.0.1;
# - batch_sched_delay=0, else array tasks start in slow waves (3 s default delay);
# - kill_invalid_depend, else a job depending (afterok) on a failed job pends forever;
# - jobcomp/filetxt gives `sacct -c` without slurmdbd.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd

if [ "$(id -u)" != 0 ]; then
  echo "start-cluster.sh: needs root (sudo bash $0)" >&2
  exit 2
fi

if [ "${1:-}" = --stop ]; then
  for p in slurmd slurmctld; do
    [ -f /run/$p.pid ] && kill "$(cat /run/$p.pid)" 2>/dev/null || true
  done
  exit 0
fi

if [ "${1:-}" = --install ]; then
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update
    apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 slurm-wlm munge
  fi
fi

for b in munged slurmctld slurmd sbatch squeue; do
  command -v $b >/dev/null || { echo "start-cluster.sh: $b not found (apt-get install slurm-wlm munge)" >&2; exit 2; }
done

# Already up? (sinfo answers and the node is usable)
if timeout 5 sinfo -h -o %t 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
  echo "slurm: already running"
  exit 0
fi

# --- munge -------------------------------------------------------------------------------
mkdir -p /run/munge /etc/munge /var/log/munge /var/lib/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=128 status=none
fi
chown munge:munge /run/munge /etc/munge /etc/munge/munge.key /var/log/munge /var/lib/munge
chmod 0755 /run/munge
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  rm -f /run/munge/munged.pid
  if command -v runuser >/dev/null; then runuser -u munge -- /usr/sbin/munged
  else su -s /bin/sh munge -c /usr/sbin/munged; fi
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n </dev/null | unmunge >/dev/null

# --- slurm.conf --------------------------------------------------------------------------
mkdir -p "$CONF_DIR" "$LOG_DIR" "$STATE_DIR" "$SPOOL_DIR"
NODE_LINE=$(slurmd -C | head -n 1)
NODE_NAME=$(echo "$NODE_LINE" | sed -E 's/^NodeName=([^ ]+).*/\1/')
cat >"$CONF.tmp" <<EOF
# Written by test/slurm/start-cluster.sh (SpikeDesk): a single-node cluster for tests and CI.
ClusterName=spikedesk
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$LOG_DIR/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
mv "$CONF.tmp" "$CONF"

# --- daemons -----------------------------------------------------------------------------
for p in slurmd slurmctld; do
  if [ -f /run/$p.pid ] && kill -0 "$(cat /run/$p.pid)" 2>/dev/null; then kill "$(cat /run/$p.pid)" || true; sleep 1; fi
done
slurmctld -i
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
slurmd
for _ in $(seq 150); do
  state=$(sinfo -h -o %t 2>/dev/null | head -n 1 || true)
  case "$state" in
    idle*|mix*|alloc*) echo "slurm: node $NODE_NAME $state"; exit 0 ;;
    down*|drain*) scontrol update nodename="$NODE_NAME" state=resume 2>/dev/null || true ;;
  esac
  sleep 0.2
done
echo "start-cluster.sh: the node did not come up; see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log" >&2
sinfo >&2 || true
exit 1
