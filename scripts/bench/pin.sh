# Sourced by the benchmark scripts: sets `pin` to the command prefix that
# runs a benchmark on one core, the last this shell may use (taskset), or
# to nothing when PIN=no or taskset is missing.
pin=()
if [ "${PIN:-yes}" != no ] && command -v taskset >/dev/null; then
  pin=(taskset -c "$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' | tail -1 | sed 's/.*-//')")
fi
