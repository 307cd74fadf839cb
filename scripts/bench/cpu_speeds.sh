# Sourced by the benchmark scripts: bench_cpu_speeds BIN prints how fast
# each CPU this process may use runs the same short piece of work, one CPU
# at a time: 200 seeds of the leader-crash sweep (10 s of virtual time
# each, about half a second on one core), pinned there with taskset.
#
# Why: the project's figures come from shared virtual machines, and there
# one virtual CPU can run the same work half as long again as the other for
# a while, then not (docs/performance.md, 4 Dec 2026: 2.37 s against 3.49 s
# of user time for the same 1,000 seeds, and a few minutes later 2.30 s
# against 2.31 s).
# The one-core benchmarks run pinned to the last CPU (pin.sh), and a sweep
# runs at the sum of its CPUs' speeds; without this line a reader cannot
# tell a slower CPU from slower code. A benchmark script calls it before and
# after its figures, so the figures are bracketed by two measurements.
#
# The line: each CPU's time for the same work, and the slowest over the
# fastest. Timed by the sweep itself (user time, from /usr/bin/time), so the
# numbers compare across CPUs of one run, not with other work.
bench_cpu_speeds() {  # bin [label]
  local bin=$1 label=${2:-} cpus cpu t times=() fastest="" slowest=""
  if ! command -v taskset > /dev/null || [ ! -x /usr/bin/time ]; then
    echo "cpu speeds${label:+ ($label)}: not measured (needs taskset and /usr/bin/time)"
    return 0
  fi
  # The CPUs this shell may use: taskset's list ("0-3,6") expanded.
  cpus=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
    awk -F- '{ hi = (NF > 1) ? $2 : $1; for (c = $1; c <= hi; c++) print c }')
  local report
  report=$(mktemp)
  for cpu in $cpus; do
    if ! /usr/bin/time -o "$report" -f '%U' taskset -c "$cpu" "$bin" sweep scenarios/raft/leader_crash.yaml \
      --seeds 1..200 --set duration=10s --set 'expect=[]' --quiet --jobs 1 > /dev/null 2>&1; then
      echo "cpu speeds${label:+ ($label)}: not measured (the calibration run on CPU $cpu failed)"
      rm -f "$report"
      return 0
    fi
    t=$(tail -1 "$report")
    times+=("CPU $cpu ${t} s")
    if [ -z "$fastest" ] || awk -v a="$t" -v b="$fastest" 'BEGIN { exit !(a < b) }'; then fastest=$t; fi
    if [ -z "$slowest" ] || awk -v a="$t" -v b="$slowest" 'BEGIN { exit !(a > b) }'; then slowest=$t; fi
  done
  rm -f "$report"
  local ratio
  ratio=$(awk -v s="$slowest" -v f="$fastest" 'BEGIN { printf "%.2f", (f > 0) ? s / f : 0 }')
  local line
  line="cpu speeds${label:+ ($label)}: 200 sweep seeds of leader_crash.yaml in $(IFS=,; echo "${times[*]}" | sed 's/,/, /g') (user); slowest/fastest ${ratio}x"
  if awk -v r="$ratio" 'BEGIN { exit !(r > 1.10) }'; then
    line+=": the CPUs are uneven, so which one ran a figure matters"
  fi
  echo "$line"
}
