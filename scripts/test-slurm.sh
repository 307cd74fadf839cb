#!/usr/bin/env bash
# A real Slurm on this machine, for issue 13's cluster sweeps (docs/cluster.md):
# starts munged, slurmctld and slurmd as root without systemd (a one-node
# cluster: config for `hostname -s`, proctrack/linuxproc, task/none, no
# cgroups, every file under a temporary directory, its own munge key and
# socket, free ports), then
#   1. submits a sweep through scripts/cluster/slurm_sweep.sh and checks the
#      merged record and summary equal a one-machine `faultline sweep` of the
#      same seeds, byte for byte;
#   2. submits a sweep of a mutant with failing seeds and checks that merge
#      exits 1 and prints every failing seed's replay command, as the
#      one-machine sweep does;
# and stops every daemon it started (trap). Needs root and Debian's slurmctld,
# slurmd, munge (installed if missing). Usage: scripts/test-slurm.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${1:-build}
faultline=$root/$build/faultline
[[ -x $faultline ]] || { echo "test-slurm: no $faultline (build first)" >&2; exit 2; }
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "test-slurm: needs root (slurmd runs as root) and there is no sudo" >&2; exit 2; }
  exec sudo "$0" "$@"
fi
started=$SECONDS

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null ||
  ! command -v sbatch >/dev/null; then
  echo "test-slurm: installing slurmctld, slurmd, munge, slurm-client"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd munge slurm-client >/dev/null
fi

work=$(mktemp -d /tmp/faultline-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $code -ne 0 ]]; then
    echo "test-slurm: FAILED; daemon logs follow" >&2
    tail -n 20 "$work"/*.log "$work"/sweep*/*.log 2>/dev/null >&2 || true
  fi
  rm -rf "$work"
  exit $code
}
trap cleanup EXIT INT TERM

# Polls `condition` (a command) every 0.2 s until it holds, at most `seconds`.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= deadline)); then
      echo "test-slurm: timed out after ${seconds}s waiting for $what" >&2
      return 1
    fi
    sleep 0.2
  done
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# munge: a fresh key and socket of our own; the system's munged (if any) is untouched.
mkdir -p "$work/munge" && chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge.log" --seed-file="$work/munge/seed"
wait_for 10 munged test -s "$work/munge/munged.pid"
pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<CONF
ClusterName=faultline-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MaxArraySize=10001
SchedulerParameters=sched_interval=1
MessageTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf

slurmctld -i -f "$SLURM_CONF"  # -i: ignore (there is no) saved state
wait_for 20 slurmctld test -s "$work/slurmctld.pid"
pids+=("$(cat "$work/slurmctld.pid")")
slurmd -f "$SLURM_CONF" -N "$host"
wait_for 20 slurmd test -s "$work/slurmd.pid"
pids+=("$(cat "$work/slurmd.pid")")
node_idle() { sinfo -h -N -o %t 2>/dev/null | grep -qx idle; }
wait_for 30 "the node to come up idle" node_idle
echo "test-slurm: one-node cluster up on $host ($cpus CPUs) after $((SECONDS - started)) s"

# Submits a sweep through slurm_sweep.sh; waits for merged.exit; echoes the result dir.
slurm_sweep() {
  local dir=$1
  shift
  FAULTLINE=$faultline FAULTLINE_SWEEP_DIR=$dir scripts/cluster/slurm_sweep.sh "$@" >"$dir.submit"
  grep -q "^merged:    $dir/merged.json" "$dir.submit"
  wait_for 120 "the merge job of $dir" test -s "$dir/merged.exit"
}

# With FAULTLINE_SLURM_THROUGHPUT="SEEDS SHARDS" (e.g. "1..400 4"): instead of
# the tests, seeds/s of scenarios/raft/leader_crash.yaml on this machine's
# CPUs, one machine (--jobs = CPUs) and through this Slurm (one CPU a shard),
# and the scheduler's overhead per shard (docs/cluster.md).
if [[ -n ${FAULTLINE_SLURM_THROUGHPUT:-} ]]; then
  read -r bench_seeds bench_shards <<<"$FAULTLINE_SLURM_THROUGHPUT"
  bench_scenario=scenarios/raft/leader_crash.yaml
  count=$(("${bench_seeds#*..}" - "${bench_seeds%..*}" + 1))
  one_machine() {
    "$faultline" sweep "$bench_scenario" --seeds "$bench_seeds" --jobs "$cpus" --quiet --force --out "$work/bench_one.json" >/dev/null
  }
  load0=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%s.%N); one_machine; t1=$(date +%s.%N)
  slurm_sweep "$work/bench" "$bench_scenario" --seeds "$bench_seeds" --shards "$bench_shards" -- --jobs 1
  t2=$(date +%s.%N); one_machine; t3=$(date +%s.%N)
  cmp "$work/bench_one.json" "$work/bench/merged.json"
  shard_seconds=$(sed -n 's/^sweep .* \([0-9.]*\) s wall$/\1/p' "$work"/bench/shard-*.log | paste -sd+ | bc -l)
  # The scheduler's own cost: 16 shards of one 10-ms seed each, submit to merged.
  t4=$(date +%s.%N)
  slurm_sweep "$work/empty" scenarios/heartbeat/crash_detection.yaml --seeds 1..16 --shards 16 -- --jobs 1
  t5=$(date +%s.%N)
  load1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$count" "$cpus" "$bench_shards" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$shard_seconds" "$load0" "$load1" <<'PY'
import sys
count, cpus, shards = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
t0, t1, t2, t3, t4, t5, shard_s, load0, load1 = map(float, sys.argv[4:13])
one_a, slurm, one_b, empty = t1 - t0, t2 - t1, t3 - t2, t5 - t4
print(f"throughput: {count} seeds of leader_crash, {cpus} CPUs, load average {load0} at start, {load1} at end")
print(f"  one machine (--jobs {cpus}), before: {one_a:7.1f} s  {count / one_a:6.1f} seeds/s")
print(f"  Slurm, {shards} shards of 1 CPU:     {slurm:7.1f} s  {count / slurm:6.1f} seeds/s (submit to merged)")
print(f"  one machine (--jobs {cpus}), after:  {one_b:7.1f} s  {count / one_b:6.1f} seeds/s")
mean_shard = shard_s / shards
per_shard = empty * cpus / 16  # CPU slot-seconds a shard costs with (almost) no work
print(f"  a shard of {count // shards} seeds ran {mean_shard:.1f} s; 16 near-empty shards took {empty:.1f} s "
      f"= {per_shard:.2f} slot-seconds of scheduling a shard = {100 * per_shard / mean_shard:.1f}% of this shard size")
PY
  exit 0
fi

# 1. A passing sweep: the merged record and summary equal one machine's.
scenario=scenarios/raft/leader_crash.yaml
seeds=1..14
"$faultline" sweep "$scenario" --seeds "$seeds" --jobs 2 --quiet --out "$work/one.json" >"$work/one.txt"
sweep_started=$SECONDS
slurm_sweep "$work/sweep1" "$scenario" --seeds "$seeds" --shards 4 -- --jobs 1
echo "test-slurm: sweep of $seeds in 4 shards through Slurm: $((SECONDS - sweep_started)) s"
[[ $(cat "$work/sweep1/merged.exit") == 0 ]] || { echo "test-slurm: merge exited $(cat "$work/sweep1/merged.exit")" >&2; exit 1; }
cmp "$work/one.json" "$work/sweep1/merged.json"
# The summary after each command's first line (which names sweep or merge, jobs, wall time).
cmp <(tail -n +2 "$work/one.txt") <(tail -n +2 "$work/sweep1/merged.txt")
echo "test-slurm: merged record and summary == one-machine sweep (byte for byte)"

# 2. Failing seeds: the mutant's replay commands come back through the merge.
mutant=(--set params.mutant=no_election_restriction)
failing_seeds=1..6
set +e
"$faultline" sweep scenarios/raft/nemesis.yaml --seeds "$failing_seeds" --jobs 2 --quiet "${mutant[@]}" \
  --out "$work/one_failing.json" >"$work/one_failing.txt"
one_code=$?
set -e
[[ $one_code == 1 ]] || { echo "test-slurm: the mutant sweep exited $one_code, expected 1 (a failing seed)" >&2; exit 1; }
slurm_sweep "$work/sweep2" scenarios/raft/nemesis.yaml --seeds "$failing_seeds" --shards 3 -- --jobs 1 "${mutant[@]}"
[[ $(cat "$work/sweep2/merged.exit") == 1 ]] || { echo "test-slurm: merge of failing shards exited $(cat "$work/sweep2/merged.exit"), expected 1" >&2; exit 1; }
grep -q "reproduce: faultline run .*--set params.mutant=no_election_restriction" "$work/sweep2/merged.txt"
cmp "$work/one_failing.json" "$work/sweep2/merged.json"
cmp <(tail -n +2 "$work/one_failing.txt") <(tail -n +2 "$work/sweep2/merged.txt")
echo "test-slurm: failing seeds $(grep -c '^FAILED seed' "$work/sweep2/merged.txt") came back with their replay commands"
echo "test-slurm: passed in $((SECONDS - started)) s"
